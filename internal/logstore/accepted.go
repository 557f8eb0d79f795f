package logstore

import "sync"

// accepted tracks, per container, the cursor of every line Append has
// queued, committed or not. A collector resuming a container in the same
// process starts from it, so lines still in the queue are not read
// twice; after a restart it starts as the committed cursor.
type accepted struct {
	mu   sync.Mutex
	byID map[string]*cursor
}

// resumeCursor is where reading the log of container id must resume.
func (s *Store) resumeCursor(id string) cursor {
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	if c := s.acc.byID[id]; c != nil {
		return *c
	}
	return s.committedCursor(id)
}

func (s *Store) committedCursor(id string) cursor {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if src := s.cat.byID[id]; src != nil {
		return src.cur
	}
	return cursor{}
}

// accept advances the accepted cursors over lines just queued.
func (s *Store) accept(lines []Line) {
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	if s.acc.byID == nil {
		s.acc.byID = map[string]*cursor{}
	}
	for i := range lines {
		l := &lines[i]
		c := s.acc.byID[l.ContainerID]
		if c == nil {
			cur := s.committedCursor(l.ContainerID)
			c = &cur
			s.acc.byID[l.ContainerID] = c
		}
		c.advance(streamIndex(l.Stream), l.Time.UnixNano())
	}
}

// forget drops the accepted cursor of a container the collector no
// longer follows, once all its queued lines are committed (until then it
// is still needed to resume without duplicates).
func (s *Store) forget(id string) {
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	if c := s.acc.byID[id]; c != nil && *c == s.committedCursor(id) {
		delete(s.acc.byID, id)
	}
}
