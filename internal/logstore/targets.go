package logstore

import "context"

// sync starts a follower for each new target and stops those of targets
// that are gone. A failed listing changes nothing.
func (c *Collector) sync(ctx context.Context) {
	targets, err := c.opts.Targets(ctx)
	if err != nil {
		c.log.Warn("listing containers to collect logs from", "err", err)
		return
	}
	want := make(map[string]Target, len(targets))
	for _, t := range targets {
		want[t.ID] = t
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, t := range c.tails {
		if _, ok := want[id]; !ok {
			t.cancel()
			delete(c.tails, id)
		}
	}
	for id, target := range want {
		if old, ok := c.tails[id]; ok && old.target == target {
			continue
		} else if ok {
			old.cancel() // renamed: restart so new lines carry the new names
			c.start(ctx, target, old.done)
			continue
		}
		c.start(ctx, target, nil)
	}
}

// start runs a follower for target after prev (a stopped follower of the
// same container, or nil) has finished. The caller holds c.mu.
func (c *Collector) start(ctx context.Context, target Target, prev <-chan struct{}) {
	tctx, cancel := context.WithCancel(ctx)
	t := &tail{target: target, cancel: cancel, done: make(chan struct{})}
	c.tails[target.ID] = t
	go func() {
		defer close(t.done)
		if prev != nil {
			<-prev
		}
		c.follow(tctx, t)
		c.store.forget(target.ID)
	}()
}

// stopAll stops every follower and waits for them.
func (c *Collector) stopAll() {
	c.mu.Lock()
	tails := c.tails
	c.tails = map[string]*tail{}
	c.mu.Unlock()
	for _, t := range tails {
		t.cancel()
	}
	for _, t := range tails {
		<-t.done
	}
}
