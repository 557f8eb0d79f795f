package docker

import (
	"context"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/berth-dev/berth/internal/engine"
)

// ActionReconnect is sent after the event stream was lost and opened again:
// events may have been missed, so consumers should resync everything.
const ActionReconnect = "reconnect"

// Events streams engine events about managed containers until ctx ends. The
// stream is reopened when the engine goes away (a restart of dockerd), with
// an ActionReconnect event once it is back.
func (d *Driver) Events(ctx context.Context) <-chan engine.Event {
	out := make(chan engine.Event, 256)
	go func() {
		defer close(out)
		backoff := 100 * time.Millisecond
		first := true
		for ctx.Err() == nil {
			if !first {
				if !d.waitForEngine(ctx, &backoff) {
					return
				}
				send(ctx, out, engine.Event{Action: ActionReconnect, Time: time.Now()})
			}
			first = false
			d.streamEvents(ctx, out)
		}
	}()
	return out
}

// streamEvents forwards one event subscription until it fails.
func (d *Driver) streamEvents(ctx context.Context, out chan<- engine.Event) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f := client.Filters{}.Add("type", "container").Add("label", engine.LabelManaged+"=true")
	res := d.api.Events(sctx, client.EventsListOptions{Filters: f})
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-res.Err:
			if ctx.Err() == nil {
				d.log.Warn("engine event stream ended", "err", err)
			}
			return
		case m := <-res.Messages:
			action, detail, _ := strings.Cut(string(m.Action), ":")
			send(ctx, out, engine.Event{
				Action:      action,
				Detail:      strings.TrimSpace(detail),
				ContainerID: m.Actor.ID,
				Stack:       m.Actor.Attributes[engine.LabelStack],
				Service:     m.Actor.Attributes[engine.LabelService],
				Name:        m.Actor.Attributes["name"],
				Time:        time.Unix(0, m.TimeNano),
			})
		}
	}
}

// waitForEngine polls until the engine answers again, doubling the pause up
// to 2 s. It reports false when ctx ended.
func (d *Driver) waitForEngine(ctx context.Context, backoff *time.Duration) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(*backoff):
		}
		if _, err := d.Ping(ctx); err == nil {
			*backoff = 100 * time.Millisecond
			return true
		}
		*backoff = min(*backoff*2, 2*time.Second)
	}
}

func send(ctx context.Context, out chan<- engine.Event, e engine.Event) {
	select {
	case out <- e:
	case <-ctx.Done():
	}
}
