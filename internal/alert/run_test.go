package alert

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestRunInterval drives Run on synctest's fake clock: the rule is
// evaluated at once and then every Interval, and Run stops with ctx.
func TestRunInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, rec := newFakeSource(), &recorder{}
		var before atomic.Int32
		m, err := NewManager(Config{Source: src, Rules: []Rule{memRule}, OnEvent: rec.onEvent,
			Notifiers: []Notifier{rec}, Interval: 10 * time.Second,
			BeforeEvaluate: func(context.Context) { before.Add(1) }})
		if err != nil {
			t.Fatal(err)
		}
		src.set("a", 0.95)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- m.Run(ctx) }()

		synctest.Wait()
		check(t, "at start", eventStrings(takeEvents(rec)), []string{"a:inactive→pending"})
		time.Sleep(50 * time.Second) // fake time: five ticks, For (1m) not reached
		synctest.Wait()
		check(t, "after 50s", eventStrings(takeEvents(rec)), nil)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		check(t, "after 60s", eventStrings(takeEvents(rec)), []string{"a:pending→firing"})
		if n := before.Load(); n != 7 {
			t.Errorf("BeforeEvaluate ran %d times in 60s, want 7 (once per evaluation)", n)
		}

		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	})
}

func takeEvents(r *recorder) []Event {
	ev, _ := r.take()
	return ev
}
