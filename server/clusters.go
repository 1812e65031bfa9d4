package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/podiumhq/podium/informers/graph"
)

// Cluster is one watched cluster: its own graph (with its own epoch), its
// source's status, and, with per-user views, how to ask it what a viewer
// may see. Ids are unique within a cluster only, so every request names the
// cluster it is about (?cluster=NAME; none means the first).
type Cluster struct {
	Name   string
	Log    *graph.Log
	Status func() graph.Status
	// Access narrows a viewer's namespaces in this cluster; nil with
	// per-user views off.
	Access AccessFunc
}

// DefaultClusterName names the one cluster of a Config given as Log and
// Status (a replay, the demo, tests).
const DefaultClusterName = "default"

// maxClusterParam bounds ?cluster=, which names at most every cluster.
const maxClusterParam = 4096

// clusterKey is where pickCluster leaves a request's cluster.
const clusterKey = "podium.cluster"

// ClusterInfo is one entry of GET /api/clusters.
type ClusterInfo struct {
	Name string `json:"name"`
	// Epoch and Seq are where the cluster's graph is now; Status is what
	// its /ws viewers get as their status message.
	Epoch  string       `json:"epoch"`
	Seq    uint64       `json:"seq"`
	Status graph.Status `json:"status"`
}

// clusterList answers GET /api/clusters: every cluster, in the order given,
// with its status.
func (s *Server) clusterList(c echo.Context) error {
	if err := rejectUnknown(c); err != nil {
		return err
	}
	out := struct {
		Clusters []ClusterInfo `json:"clusters"`
	}{Clusters: make([]ClusterInfo, 0, len(s.clusters))}
	for _, cl := range s.clusters {
		out.Clusters = append(out.Clusters, ClusterInfo{Name: cl.Name, Epoch: cl.Log.Epoch(), Seq: cl.Log.Seq(), Status: cl.Status()})
	}
	return c.JSON(http.StatusOK, out)
}

// parseClusters reads a "cluster=a,b" value (the parameter may be
// repeated): each must name a cluster this server watches. None gives nil.
func (s *Server) parseClusters(c echo.Context) ([]*Cluster, error) {
	raw := strings.Join(c.QueryParams()["cluster"], ",")
	if len(raw) > maxClusterParam {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "cluster is too long: at most "+strconv.Itoa(maxClusterParam)+" bytes")
	}
	var out []*Cluster
	seen := map[string]bool{}
	for _, name := range strings.Split(raw, ",") {
		if name = strings.TrimSpace(name); name == "" || seen[name] {
			continue
		}
		seen[name] = true
		cl := s.clusterNamed(name)
		if cl == nil {
			return nil, echo.NewHTTPError(http.StatusBadRequest, "cluster "+strconv.Quote(truncate(name, 80))+" is not one this server watches; it watches: "+strings.Join(s.clusterNames(), ", "))
		}
		out = append(out, cl)
	}
	return out, nil
}

func (s *Server) clusterNamed(name string) *Cluster {
	for i := range s.clusters {
		if s.clusters[i].Name == name {
			return &s.clusters[i]
		}
	}
	return nil
}

func (s *Server) clusterNames() []string {
	names := make([]string, len(s.clusters))
	for i, cl := range s.clusters {
		names[i] = cl.Name
	}
	return names
}

// pickCluster resolves ?cluster= for the routes about one cluster's graph:
// one name, or none for the first cluster.
func (s *Server) pickCluster(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cls, err := s.parseClusters(c)
		if err != nil {
			return err
		}
		if len(cls) > 1 {
			return echo.NewHTTPError(http.StatusBadRequest, "cluster names one cluster here, got "+strconv.Itoa(len(cls)))
		}
		c.Set(clusterKey, s.firstOf(cls))
		return next(c)
	}
}

// firstOf is the first of cls, or with none the server's first cluster.
func (s *Server) firstOf(cls []*Cluster) *Cluster {
	if len(cls) == 0 {
		return &s.clusters[0]
	}
	return cls[0]
}

// cluster is the request's cluster, as pickCluster chose it (the first one
// on routes it does not guard).
func (s *Server) cluster(c echo.Context) *Cluster {
	if cl, ok := c.Get(clusterKey).(*Cluster); ok {
		return cl
	}
	return &s.clusters[0]
}

// ready reports whether the server can show something: a cluster has
// synced, and none is still on its first sync while connected. A cluster
// that is down (reconnecting, refused) holds back no other.
func (s *Server) ready() bool {
	synced := false
	for _, cl := range s.clusters {
		st := cl.Status()
		if st.Synced {
			synced = true
		} else if st.APIServer == "connected" {
			return false
		}
	}
	return synced
}

// sideBySide answers / for several clusters: the page once per cluster, each
// in a frame of its own (so each keeps its own ids, epoch and connection),
// with the rest of the query (language, namespaces, layers, ...) the same.
func (s *Server) sideBySide(c echo.Context, cls []*Cluster) error {
	if s.cfg.SideBySide == nil {
		return echo.NewHTTPError(http.StatusNotImplemented, "this server shows one cluster at a time")
	}
	// The filter is checked once here, as each frame would check it.
	if _, err := queryNamespaces(c); err != nil {
		return err
	}
	if _, err := querySelector(c); err != nil {
		return err
	}
	frames := make([]Frame, len(cls))
	for i, cl := range cls {
		q := url.Values{}
		for k, v := range c.QueryParams() {
			q[k] = v
		}
		q.Set("cluster", cl.Name)
		frames[i] = Frame{Cluster: cl.Name, Src: "./?" + q.Encode()}
	}
	return Render(c, http.StatusOK, s.cfg.SideBySide(requestLanguage(c), frames))
}
