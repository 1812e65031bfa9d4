package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are Podium's Prometheus metrics, on a registry of their own.
type Metrics struct {
	reg            *prometheus.Registry
	clients        prometheus.Gauge
	messages       *prometheus.CounterVec
	sentOf         map[string]prometheus.Counter // messages, by the types sent
	bytes          prometheus.Counter
	latency        prometheus.Histogram
	events         *prometheus.CounterVec
	forcedSnapshot prometheus.Counter
	waiting        prometheus.Gauge
}

// NewMetrics registers Podium's metrics and the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		clients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "podium_ws_clients", Help: "WebSocket clients connected now."}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podium_ws_messages_sent_total", Help: "WebSocket messages sent, by type."}, []string{"type"}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "podium_ws_bytes_sent_total", Help: "WebSocket payload bytes sent (before compression)."}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "podium_event_to_write_seconds",
			Help:    "Time from receiving an API event to writing its delta to a WebSocket.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podium_informer_events_total", Help: "Informer events received, by resource."}, []string{"resource"}),
		forcedSnapshot: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "podium_snapshots_forced_total", Help: "Snapshots sent because a client fell behind the change history."}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "podium_ws_snapshots_waiting", Help: "WebSocket clients waiting for their turn to be sent a snapshot (a few are written at once)."}),
	}
	// Resolved once: a lookup by label for each message to each viewer was
	// a hash and a lock per write.
	m.sentOf = map[string]prometheus.Counter{}
	for _, kind := range []string{"snapshot", "delta", "status", "reply"} {
		m.sentOf[kind] = m.messages.WithLabelValues(kind)
	}
	m.reg.MustRegister(m.clients, m.messages, m.bytes, m.latency, m.events, m.forcedSnapshot, m.waiting,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// sent counts one WebSocket message of type kind.
func (m *Metrics) sent(kind string) {
	if c, ok := m.sentOf[kind]; ok {
		c.Inc()
		return
	}
	m.messages.WithLabelValues(kind).Inc()
}

// InformerEvent counts one informer event for resource.
func (m *Metrics) InformerEvent(resource string) { m.events.WithLabelValues(resource).Inc() }

// Handler serves the metrics in Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
