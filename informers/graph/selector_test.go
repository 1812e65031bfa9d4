package graph

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestSelectorMatches(t *testing.T) {
	web := map[string]string{"app": "web", "tier": "front"}
	expr := func(key string, op metav1.LabelSelectorOperator, values ...string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: key, Operator: op, Values: values}}}
	}
	for _, c := range []struct {
		name string
		sel  *metav1.LabelSelector
		want bool
	}{
		{"nil selects nothing", nil, false},
		{"empty selects everything", &metav1.LabelSelector{}, true},
		{"matchLabels equal", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, true},
		{"matchLabels differ", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}, false},
		{"matchLabels missing key", &metav1.LabelSelector{MatchLabels: map[string]string{"zone": "a"}}, false},
		{"In", expr("app", metav1.LabelSelectorOpIn, "db", "web"), true},
		{"In without the key", expr("zone", metav1.LabelSelectorOpIn, "a"), false},
		{"NotIn", expr("app", metav1.LabelSelectorOpNotIn, "web"), false},
		{"NotIn without the key", expr("zone", metav1.LabelSelectorOpNotIn, "a"), true},
		{"Exists", expr("tier", metav1.LabelSelectorOpExists), true},
		{"Exists missing", expr("zone", metav1.LabelSelectorOpExists), false},
		{"DoesNotExist", expr("zone", metav1.LabelSelectorOpDoesNotExist), true},
		{"DoesNotExist present", expr("app", metav1.LabelSelectorOpDoesNotExist), false},
		{"unknown operator", expr("app", "Near", "web"), false},
		{"labels and expressions both hold", &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"},
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"back"}}}}, false},
	} {
		if got := SelectorFrom(c.sel).Matches(web); got != c.want {
			t.Errorf("%s: Matches = %v, want %v", c.name, got, c.want)
		}
	}
	if SelectorFrom(nil) != nil {
		t.Error("SelectorFrom(nil) is not nil: an absent selector must stay absent")
	}
	if s := SelectorFrom(&metav1.LabelSelector{}); s == nil || !s.Matches(nil) {
		t.Error("an empty selector must be kept (non-nil) and select an object without labels")
	}
}
