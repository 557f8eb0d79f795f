package logstore

import (
	"context"
	"sync"
)

// follower is one Follow call's subscription.
type follower struct {
	q  *compiled
	ch chan Line
}

// followers is the set of live subscriptions; the writer publishes to
// them after each commit and never blocks on one.
type followers struct {
	mu     sync.Mutex
	set    map[*follower]struct{}
	closed bool
}

func (fs *followers) init() { fs.set = map[*follower]struct{}{} }

// Follow returns a channel that receives every line matching f (Limit
// aside) stored from now on, in commit order. The channel is closed when
// ctx ends, the store closes, or the follower falls FollowBuffer lines
// behind; a follower that sees it closed early can catch up with Query
// from the Time of the last line it got.
func (s *Store) Follow(ctx context.Context, f Filter) (<-chan Line, error) {
	q, err := compileFilter(f)
	if err != nil {
		return nil, err
	}
	fl := &follower{q: q, ch: make(chan Line, s.opts.FollowBuffer)}
	if !s.followers.add(fl) {
		return nil, ErrClosed
	}
	go func() {
		select {
		case <-ctx.Done():
		case <-s.closing:
		}
		s.followers.remove(fl)
	}()
	return fl.ch, nil
}

func (fs *followers) add(fl *follower) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.closed {
		return false
	}
	fs.set[fl] = struct{}{}
	return true
}

// remove closes fl's channel once.
func (fs *followers) remove(fl *follower) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if _, ok := fs.set[fl]; ok {
		delete(fs.set, fl)
		close(fl.ch)
	}
}

func (fs *followers) closeAll() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.closed = true
	for fl := range fs.set {
		delete(fs.set, fl)
		close(fl.ch)
	}
}

// publish hands committed lines to every follower whose filter they
// match; a follower with a full channel is cut off.
func (fs *followers) publish(lines []Line) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for fl := range fs.set {
		for i := range lines {
			if !fl.q.matchLine(&lines[i]) {
				continue
			}
			l := lines[i]
			decorate(&l)
			select {
			case fl.ch <- l:
				continue
			default:
			}
			delete(fs.set, fl)
			close(fl.ch)
			break
		}
	}
}
