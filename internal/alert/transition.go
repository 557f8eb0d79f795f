package alert

import "time"

// ruleState holds the alerts of one rule by label-set fingerprint.
type ruleState struct {
	rule   *compiledRule
	alerts map[string]*tracked
	// retired is set when SetRules removed or changed the rule.
	retired bool
}

// step applies one evaluation's active label sets at now and returns the
// state changes, in no particular order. Resolved alerts older than
// retention are forgotten without an event.
func (s *ruleState) step(active map[string]sample, now time.Time, retention time.Duration) []Event {
	var events []Event
	for fp, smp := range active {
		if ev, ok := s.activate(fp, smp, now); ok {
			events = append(events, ev)
		}
	}
	for fp, a := range s.alerts {
		if _, ok := active[fp]; ok {
			continue
		}
		switch a.State {
		case StatePending:
			delete(s.alerts, fp)
			a.State = StateInactive
			events = append(events, Event{Alert: a.Alert, From: StatePending, At: now})
		case StateFiring:
			a.State, a.ResolvedAt, a.changed = StateResolved, now, true
			events = append(events, Event{Alert: a.Alert, From: StateFiring, At: now})
		case StateResolved:
			if now.Sub(a.ResolvedAt) >= retention {
				delete(s.alerts, fp)
			}
		}
	}
	return events
}

// activate records that fp's condition holds at now.
func (s *ruleState) activate(fp string, smp sample, now time.Time) (Event, bool) {
	a, ok := s.alerts[fp]
	from := StateInactive
	if !ok || a.State == StateResolved {
		if ok {
			from = StateResolved
		}
		a = &tracked{Alert: Alert{Rule: s.rule.Name, Labels: smp.labels, State: StatePending, ActiveAt: now}}
		s.alerts[fp] = a
	} else {
		from = a.State
	}
	a.Value = smp.value
	a.Annotations = s.rule.expand(a.Labels, smp.value)
	if a.State == StatePending && now.Sub(a.ActiveAt) >= s.rule.For {
		a.State, a.FiredAt, a.changed = StateFiring, now, true
	}
	if a.State == from {
		return Event{}, false
	}
	return Event{Alert: a.Alert, From: from, At: now}, true
}
