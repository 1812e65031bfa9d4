package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podiumhq/podium/informers/graph"
)

// DefaultReachConcurrency is how many reachability answers are computed
// at once by default: each uses one core while it runs.
const DefaultReachConcurrency = 2

// maxReachID bounds ?pod= and ?service=: Kind/namespace/name fits well
// inside it (a namespace is at most 63 bytes, a name 253).
const maxReachID = 330

// reachability serves GET /api/reachability:
//   - ?pod=Pod/ns/name: who may reach the pod and whom it may reach, by
//     the NetworkPolicies in the graph (graph.Reachability);
//   - ?service=Service/ns/name[&from=NS]: which of the Service's pods NS
//     may reach on its target ports (graph.ServiceReach); NS defaults to
//     Config.IngressNamespace.
//
// Both take the viewer's namespace filter: an id outside it is not found,
// and peers outside it are counted, not listed. The graph is read under
// the Log's lock only to gather pods, policies and namespaces; the answer
// is computed outside it, at most ReachConcurrency at once.
func (s *Server) reachability(c echo.Context) error {
	ns, err := s.viewNamespaces(c)
	if err != nil {
		return err
	}
	if err := rejectUnknown(c, "pod", "service", "from", "namespace", "cluster"); err != nil {
		return err
	}
	pod, service := c.QueryParam("pod"), c.QueryParam("service")
	switch {
	case pod == "" && service == "":
		return echo.NewHTTPError(http.StatusBadRequest, "pod is required: ?pod=Pod/namespace/name (or ?service=Service/namespace/name)")
	case pod != "" && service != "":
		return echo.NewHTTPError(http.StatusBadRequest, "give pod or service, not both")
	case pod != "" && c.QueryParam("from") != "":
		return echo.NewHTTPError(http.StatusBadRequest, "from goes with service, not with pod")
	}
	f := graph.NewFilter(ns...)
	if pod != "" {
		if err := checkID(pod, graph.KindPod, "pod"); err != nil {
			return err
		}
		if err := s.acquireReach(c); err != nil {
			return err
		}
		defer s.releaseReach()
		r, err := s.cluster(c).Log.Reach(pod, f)
		if errors.Is(err, graph.ErrNoPod) {
			return echo.NewHTTPError(http.StatusNotFound, "pod "+strconv.Quote(pod)+" is not in the graph"+viewSuffix(ns))
		}
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
	if err := checkID(service, graph.KindService, "service"); err != nil {
		return err
	}
	from := c.QueryParam("from")
	if from == "" {
		from = s.cfg.IngressNamespace
	}
	if from == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "from is required with service (this server has no --ingress-namespace): the namespace to reach the Service's pods from")
	}
	if errs := validation.IsDNS1123Label(from); len(errs) > 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "from "+strconv.Quote(truncate(from, 80))+" is not a valid namespace name: "+errs[0])
	}
	if err := s.acquireReach(c); err != nil {
		return err
	}
	defer s.releaseReach()
	r, err := s.cluster(c).Log.ReachService(service, from, f)
	if errors.Is(err, graph.ErrNoService) {
		return echo.NewHTTPError(http.StatusNotFound, "service "+strconv.Quote(service)+" is not in the graph"+viewSuffix(ns))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func viewSuffix(ns []string) string {
	if len(ns) == 0 {
		return ""
	}
	return " of namespaces " + strings.Join(ns, ",")
}

// checkID checks that id is "<kind>/<namespace>/<name>" with valid names.
func checkID(id string, kind graph.Kind, param string) error {
	bad := func(why string) error {
		return echo.NewHTTPError(http.StatusBadRequest, param+" "+strconv.Quote(truncate(id, 80))+" "+why)
	}
	if len(id) > maxReachID {
		return bad("is too long: at most " + strconv.Itoa(maxReachID) + " bytes")
	}
	parts := strings.Split(id, "/")
	if len(parts) != 3 {
		return bad("is not an id of the form " + kind + "/namespace/name")
	}
	if parts[0] != kind {
		return bad("is not a " + kind + ": its kind is " + strconv.Quote(truncate(parts[0], 40)))
	}
	if errs := validation.IsDNS1123Label(parts[1]); len(errs) > 0 {
		return bad("has an invalid namespace: " + errs[0])
	}
	if errs := validation.IsDNS1123Subdomain(parts[2]); len(errs) > 0 {
		return bad("has an invalid name: " + errs[0])
	}
	return nil
}

// acquireReach takes one of the ReachConcurrency slots, or answers 503:
// an answer costs milliseconds, but a policy of hundreds of rules among
// thousands of pods with labels of their own costs up to a second of CPU.
func (s *Server) acquireReach(c echo.Context) error {
	select {
	case s.reach <- struct{}{}:
		return nil
	default:
		c.Response().Header().Set("Retry-After", "1")
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the server is computing as many reachability answers as it may at once; try again in a second")
	}
}

func (s *Server) releaseReach() { <-s.reach }
