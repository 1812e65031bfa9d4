package web

import (
	"context"
	"strings"
	"testing"
)

// gatewayGraph is a Gateway accepting an HTTPRoute that splits 90/10
// between two Services, as /api/graph sends it (issue #16).
const gatewayGraph = `{"epoch":"e","seq":1,"nodes":[
 {"id":"Gateway/shop/gw","kind":"Gateway","namespace":"shop","name":"gw","uid":"u1","class":"eg",
  "listeners":[{"name":"http","port":80,"protocol":"HTTP","attachedRoutes":1}],"accepted":"true","programmed":"unknown"},
 {"id":"HTTPRoute/shop/web","kind":"HTTPRoute","namespace":"shop","name":"web","uid":"u2","hostnames":["shop.example"],
  "parents":[{"gateway":"Gateway/shop/gw","accepted":"false","reason":"NotAllowedByListeners"}],
  "rules":[{"matches":["PathPrefix /"],"backends":[{"service":"Service/shop/stable","weight":90},{"service":"Service/shop/canary","weight":10}]}]},
 {"id":"Service/shop/stable","kind":"Service","namespace":"shop","name":"stable","uid":"u3","type":"ClusterIP","clusterIP":"10.0.0.1","ports":[],"selector":{}},
 {"id":"Service/shop/canary","kind":"Service","namespace":"shop","name":"canary","uid":"u4","type":"ClusterIP","clusterIP":"10.0.0.2","ports":[],"selector":{}}],
 "edges":[
 {"id":"routes:Gateway/shop/gw->HTTPRoute/shop/web","kind":"routes","from":"Gateway/shop/gw","to":"HTTPRoute/shop/web","accepted":"false"},
 {"id":"routes:HTTPRoute/shop/web->Service/shop/stable","kind":"routes","from":"HTTPRoute/shop/web","to":"Service/shop/stable","weight":90,"share":90},
 {"id":"routes:HTTPRoute/shop/web->Service/shop/canary","kind":"routes","from":"HTTPRoute/shop/web","to":"Service/shop/canary","weight":10,"share":10}]}`

// TestRenderSVGGateway: the server's SVG draws the Gateway API as the page
// does, with the page's statuses (not a workload's "Ready"), and the 90/10
// split as the page labels it (static/edgelabel.js), on its edges.
func TestRenderSVGGateway(t *testing.T) {
	var buf strings.Builder
	if err := RenderSVG(context.Background(), &buf, []byte(gatewayGraph), nil, "", "en"); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	ids, edges := svgIDs(t, svg)
	for _, id := range []string{"Gateway/shop/gw", "HTTPRoute/shop/web", "Service/shop/stable", "Service/shop/canary"} {
		if !ids[id] {
			t.Errorf("the SVG does not name %s", id)
		}
	}
	for _, id := range []string{"routes:Gateway/shop/gw->HTTPRoute/shop/web", "routes:HTTPRoute/shop/web->Service/shop/stable", "routes:HTTPRoute/shop/web->Service/shop/canary"} {
		if !edges[id] {
			t.Errorf("the SVG does not draw %s", id)
		}
	}
	for _, want := range []string{`data-status="Pending"`, `data-status="NotAccepted"`, "class eg", "shop.example"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the SVG does not say %q", want)
		}
	}
	for id, share := range map[string]string{"routes:HTTPRoute/shop/web->Service/shop/stable": "90%", "routes:HTTPRoute/shop/web->Service/shop/canary": "10%"} {
		_, g, _ := strings.Cut(svg, `data-edge="`+strings.ReplaceAll(id, ">", "&gt;")+`"`)
		g, _, _ = strings.Cut(g, "</g>")
		if !strings.Contains(g, `class="edge-label"`) || !strings.Contains(g, ">"+share+"</text>") || !strings.Contains(g, `text-anchor="start"`) {
			t.Errorf("the edge %s is not labelled %s in the SVG: %s", id, share, g)
		}
	}
}
