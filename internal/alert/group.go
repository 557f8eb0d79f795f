package alert

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// SetRules replaces the rules of one group (e.g. one stack's), or removes
// the group when rules is empty. A rule identical to one the group already
// has keeps its alerts; the state of a changed or removed rule is retired:
// its firing alerts resolve at the next evaluation. Every rule is validated
// first and one invalid rule (a *RuleError) changes nothing: bad input
// never replaces rules that work.
func (m *Manager) SetRules(group string, rules []Rule) error {
	compiled := make([]*compiledRule, 0, len(rules))
	var errs []error
	for _, r := range rules {
		cr, err := compileRule(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		compiled = append(compiled, cr)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("setting rules of group %q: %w", group, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := map[string][]*ruleState{}
	for _, rs := range m.groups[group] {
		k := ruleKey(rs.rule.Rule)
		kept[k] = append(kept[k], rs)
	}
	next := make([]*ruleState, 0, len(compiled))
	for _, cr := range compiled {
		k := ruleKey(cr.Rule)
		if same := kept[k]; len(same) > 0 {
			next, kept[k] = append(next, same[0]), same[1:]
			continue
		}
		next = append(next, &ruleState{rule: cr, alerts: map[string]*tracked{}})
	}
	for _, gone := range kept {
		for _, rs := range gone {
			m.retireLocked(rs)
		}
	}
	if len(next) == 0 {
		delete(m.groups, group)
	} else {
		m.groups[group] = next
	}
	return nil
}

// ruleKey identifies a rule's definition: %q quotes every string, and
// fmt prints maps sorted by key, so equal rules give equal keys and no two
// different rules share one.
func ruleKey(r Rule) string {
	return fmt.Sprintf("%q %q %d %q %q", r.Name, r.Expr, r.For, r.Labels, r.Annotations)
}

func (m *Manager) retireLocked(rs *ruleState) {
	rs.retired = true
	if len(rs.alerts) > 0 {
		m.retired = append(m.retired, rs)
	}
}

// live returns the rules to evaluate: group "" first, then the others by
// name, so evaluations run in a stable order.
func (m *Manager) live() []*ruleState {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.groups))
	for g := range m.groups {
		names = append(names, g)
	}
	sort.Strings(names) // "" sorts first
	var out []*ruleState
	for _, g := range names {
		out = append(out, m.groups[g]...)
	}
	return out
}

// allLocked returns the live and retired rules; m.mu must be held.
func (m *Manager) allLocked() []*ruleState {
	out := append([]*ruleState{}, m.retired...)
	for _, rules := range m.groups {
		out = append(out, rules...)
	}
	return out
}

// step applies an evaluation's result to a rule unless SetRules retired it
// while its query ran: a retired rule only winds down.
func (m *Manager) step(rs *ruleState, active map[string]sample, now time.Time) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rs.retired {
		return nil
	}
	return rs.step(active, now, m.cfg.ResolvedRetention)
}

// windDown steps the retired rules as if their series were gone and
// forgets those with no alerts left.
func (m *Manager) windDown(now time.Time) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	var events []Event
	left := m.retired[:0]
	for _, rs := range m.retired {
		events = append(events, rs.step(nil, now, m.cfg.ResolvedRetention)...)
		if len(rs.alerts) > 0 {
			left = append(left, rs)
		}
	}
	clear(m.retired[len(left):])
	m.retired = left
	return events
}
