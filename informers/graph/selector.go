package graph

import (
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SelectorFrom converts an API label selector, keeping nil as nil: absent
// and empty selectors mean different things to a NetworkPolicy peer.
func SelectorFrom(s *metav1.LabelSelector) *Selector {
	if s == nil {
		return nil
	}
	out := &Selector{}
	if len(s.MatchLabels) > 0 {
		out.MatchLabels = maps.Clone(s.MatchLabels)
	}
	for _, r := range s.MatchExpressions {
		out.MatchExpressions = append(out.MatchExpressions, SelectorRequirement{
			Key: r.Key, Operator: string(r.Operator), Values: slices.Clone(r.Values),
		})
	}
	return out
}

// Matches reports whether the selector selects an object with these labels,
// with the API's semantics: every matchLabels pair and every expression must
// hold; an empty selector selects everything; a nil one selects nothing. An
// expression with an unknown operator selects nothing, as the API server
// would have refused it.
func (s *Selector) Matches(labels map[string]string) bool {
	if s == nil {
		return false
	}
	for k, v := range s.MatchLabels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	for _, r := range s.MatchExpressions {
		v, ok := labels[r.Key]
		switch metav1.LabelSelectorOperator(r.Operator) {
		case metav1.LabelSelectorOpIn:
			if !ok || !slices.Contains(r.Values, v) {
				return false
			}
		case metav1.LabelSelectorOpNotIn:
			if ok && slices.Contains(r.Values, v) {
				return false
			}
		case metav1.LabelSelectorOpExists:
			if !ok {
				return false
			}
		case metav1.LabelSelectorOpDoesNotExist:
			if ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}
