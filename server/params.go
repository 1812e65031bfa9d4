package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podiumhq/podium/informers/graph"
)

// maxNamespaces bounds a filter, so a hostile query cannot make every
// message's filtering expensive.
const maxNamespaces = 100

// parseNamespaces reads a "namespace=a,b" value (the parameter may also be
// repeated). Every name must be a valid namespace name.
func parseNamespaces(raw string) ([]string, error) {
	if raw == "" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, ns := range strings.Split(raw, ",") {
		ns = strings.TrimSpace(ns)
		if ns == "" {
			continue
		}
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return nil, echo.NewHTTPError(http.StatusBadRequest, "namespace "+strconv.Quote(truncate(ns, 80))+" is not a valid namespace name: "+errs[0])
		}
		if !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	if len(out) > maxNamespaces {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "too many namespaces: at most "+strconv.Itoa(maxNamespaces))
	}
	return out, nil
}

// maxSelector bounds a label selector, in bytes: every pod change is
// matched against it for every viewer that has it. A long one is still
// short beside this (a key is at most 317 bytes, a value 63).
const maxSelector = 1024

// parseSelector reads a "selector=" value, a Kubernetes label selector
// ("app=web,tier!=db", "env in (a,b)", "!key"); "" selects every pod.
func parseSelector(raw string) (labels.Selector, error) {
	if len(raw) > maxSelector {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "selector "+strconv.Quote(truncate(raw, 80))+" is too long: at most "+strconv.Itoa(maxSelector)+" bytes")
	}
	sel, err := labels.Parse(raw)
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "selector "+strconv.Quote(truncate(raw, 80))+" is not a valid label selector: "+err.Error())
	}
	return sel, nil
}

// querySelector reads the label selector of a request: "selector=…", the
// parameter repeated meaning all of them (as commas do within one).
func querySelector(c echo.Context) (labels.Selector, error) {
	var parts []string
	for _, p := range c.QueryParams()["selector"] {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return parseSelector(strings.Join(parts, ","))
}

// viewFilter is the viewer's filter of a request: its namespaces (as
// viewNamespaces allows them) and its label selector. The namespaces are
// returned too, for what names them.
func (s *Server) viewFilter(c echo.Context) (graph.Filter, []string, error) {
	ns, err := s.viewNamespaces(c)
	if err != nil {
		return graph.Filter{}, nil, err
	}
	sel, err := querySelector(c)
	if err != nil {
		return graph.Filter{}, nil, err
	}
	return graph.NewFilter(ns...).WithSelector(sel), ns, nil
}

// resume is a /ws client's resume point.
type resume struct {
	epoch string
	since uint64
	ok    bool // both given
}

// parseResume reads "epoch=E&since=N". since without epoch resumes nothing
// (a seq means nothing outside its epoch), but must still be a number.
func parseResume(c echo.Context) (resume, error) {
	var r resume
	rawSince, hasSince := c.QueryParams()["since"]
	if hasSince {
		n, err := strconv.ParseUint(rawSince[0], 10, 64)
		if err != nil {
			return r, echo.NewHTTPError(http.StatusBadRequest, "since "+strconv.Quote(truncate(rawSince[0], 40))+" is not a sequence number (a non-negative integer)")
		}
		r.since = n
	}
	r.epoch = c.QueryParam("epoch")
	if len(r.epoch) > 64 || strings.ContainsFunc(r.epoch, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')
	}) {
		return r, echo.NewHTTPError(http.StatusBadRequest, "epoch "+strconv.Quote(truncate(r.epoch, 40))+" is not an epoch this server issues")
	}
	r.ok = hasSince && r.epoch != ""
	return r, nil
}

// rejectUnknown fails on query parameters outside allowed, so a typo such as
// "namspace" is an error rather than a silently unfiltered view.
func rejectUnknown(c echo.Context, allowed ...string) error {
	for name := range c.QueryParams() {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return echo.NewHTTPError(http.StatusBadRequest, "unknown query parameter "+strconv.Quote(truncate(name, 40))+"; allowed: "+strings.Join(allowed, ", "))
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// queryNamespaces reads the namespace filter of a request: "namespace=a,b",
// the parameter repeated ("namespace=a&namespace=b"), or both.
func queryNamespaces(c echo.Context) ([]string, error) {
	return parseNamespaces(strings.Join(c.QueryParams()["namespace"], ","))
}
