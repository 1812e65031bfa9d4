package graph

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// moreKinds are the kinds whose fields live in Node.More, with their
// fields types.
var moreKinds = map[Kind]reflect.Type{
	KindServiceAccount: reflect.TypeFor[ServiceAccountFields](),
	KindRole:           reflect.TypeFor[RoleFields](),
	KindClusterRole:    reflect.TypeFor[RoleFields](),
	KindUser:           reflect.TypeFor[SubjectFields](),
	KindGroup:          reflect.TypeFor[SubjectFields](),
	KindNetworkPolicy:  reflect.TypeFor[NetworkPolicyFields](),
	KindNamespace:      reflect.TypeFor[NamespaceFields](),
	KindPDB:            reflect.TypeFor[PDBFields](),
	KindGateway:        reflect.TypeFor[GatewayFields](),
	KindHTTPRoute:      reflect.TypeFor[RouteFields](),
	KindGRPCRoute:      reflect.TypeFor[RouteFields](),
}

// TestKindsTable holds the kinds table to Node: every kind pointer on Node
// (named after its kind) and every kind of Node.More has its entry, each kind's fields round-trip
// through JSON, and equality sees a change to any one of them.
func TestKindsTable(t *testing.T) {
	nodeType := reflect.TypeFor[Node]()
	// typeOf and set give a kind's fields type and put a value of it on a
	// node.
	typeOf := map[Kind]reflect.Type{}
	setOf := map[Kind]func(n *Node, f reflect.Value){}
	for i := range nodeType.NumField() {
		if f := nodeType.Field(i); f.Type.Kind() == reflect.Pointer {
			typeOf[f.Name] = f.Type.Elem()
			setOf[f.Name] = func(n *Node, v reflect.Value) { reflect.ValueOf(n).Elem().Field(i).Set(v) }
		}
	}
	for kind, ft := range moreKinds {
		typeOf[kind] = ft
		setOf[kind] = func(n *Node, v reflect.Value) { n.More = v.Interface() }
	}
	for kind := range kinds {
		if _, ok := typeOf[kind]; !ok {
			t.Errorf("kinds has %q, but Node has no pointer field named after it, nor is it in moreKinds", kind)
		}
	}
	for kind, ft := range typeOf {
		t.Run(kind, func(t *testing.T) {
			k, ok := kinds[kind]
			if !ok {
				t.Fatalf("Node.%s has no entry in the kinds table", kind)
			}
			// build makes a node whose every field holds a value, the same
			// each time but never shared, and hands back its fields struct.
			build := func() (*Node, reflect.Value) {
				n := &Node{ID: ID(kind, "ns", "x"), Kind: kind, Namespace: "ns", Name: "x", UID: "u1"}
				f := reflect.New(ft)
				fill(f.Elem(), 1)
				setOf[kind](n, f)
				return n, f.Elem()
			}

			n, f := build()
			if got := k.fields(n); got != f.Addr().Interface() {
				t.Fatalf("kinds[%q].fields reads %T, not Node.%s", kind, got, kind)
			}
			if k.fields(&Node{Kind: kind}) != nil {
				t.Errorf("kinds[%q].fields of a node without fields is not nil", kind)
			}

			b, err := json.Marshal(n)
			if err != nil {
				t.Fatal(err)
			}
			var back Node
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("decode %s: %v", b, err)
			}
			if diff := cmp.Diff(n, &back); diff != "" {
				t.Errorf("JSON round trip changed the node (-sent +received):\n%s\n%s", diff, b)
			}

			other, _ := build()
			if !nodeEqual(n, other) {
				t.Fatal("two equal nodes compare unequal")
			}
			var paths []string
			leaves(f, kind, func(path string, _ func()) { paths = append(paths, path) })
			if len(paths) == 0 && ft != reflect.TypeFor[SubjectFields]() {
				t.Fatalf("Node.%s has no fields to compare", kind)
			}
			for j, path := range paths {
				changed, cf := build()
				at := 0
				leaves(cf, kind, func(_ string, change func()) {
					if at == j {
						change()
					}
					at++
				})
				if nodeEqual(n, changed) || nodeEqual(changed, n) {
					t.Errorf("equality misses a change to %s", path)
				}
			}
		})
	}
}

var fillTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fill gives every field under v a non-zero value, derived from seed.
func fill(v reflect.Value, seed int) {
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(fillTime.Add(time.Duration(seed) * time.Second)))
	case v.Kind() == reflect.String:
		v.SetString(fmt.Sprint("s", seed))
	case v.CanInt():
		v.SetInt(int64(seed))
	case v.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.Kind() == reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), seed+i+1)
		}
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.String:
		v.Set(reflect.ValueOf(map[string]string{fmt.Sprint("k", seed): fmt.Sprint("v", seed)}).Convert(v.Type()))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), seed*10+i)
		}
	case v.Kind() == reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), seed)
	default:
		panic(fmt.Sprintf("fill: a field of type %s; teach the test to fill it", v.Type()))
	}
}

// leaves calls visit with each value under v that a change can touch (a
// scalar, a slice's length, a map), and the change.
func leaves(v reflect.Value, path string, visit func(path string, change func())) {
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		visit(path, func() { v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Second))) })
	case v.Kind() == reflect.String:
		visit(path, func() { v.SetString(v.String() + "'") })
	case v.CanInt():
		visit(path, func() { v.SetInt(v.Int() + 1) })
	case v.Kind() == reflect.Bool:
		visit(path, func() { v.SetBool(!v.Bool()) })
	case v.Kind() == reflect.Slice:
		visit(path+" (length)", func() { v.Set(v.Slice(0, v.Len()-1)) })
		for i := range v.Len() {
			leaves(v.Index(i), fmt.Sprintf("%s[%d]", path, i), visit)
		}
	case v.Kind() == reflect.Map:
		visit(path+" (a value)", func() {
			for _, key := range v.MapKeys() {
				v.SetMapIndex(key, reflect.ValueOf(v.MapIndex(key).String()+"'"))
			}
		})
		visit(path+" (a key)", func() {
			m := reflect.MakeMap(v.Type())
			for _, key := range v.MapKeys() {
				m.SetMapIndex(reflect.ValueOf(key.String()+"'"), v.MapIndex(key))
			}
			v.Set(m)
		})
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			leaves(v.Field(i), path+"."+v.Type().Field(i).Name, visit)
		}
	case v.Kind() == reflect.Pointer:
		elem := v.Elem() // still addressable once the change made v nil
		visit(path+" (nil)", func() { v.SetZero() })
		leaves(elem, path, visit)
	default:
		panic("leaves: a field of type " + v.Type().String())
	}
}

// TestUnknownKind: a kind outside the table is refused by name on decode,
// and compared whole.
func TestUnknownKind(t *testing.T) {
	var n Node
	err := json.Unmarshal([]byte(`{"id":"Gadget/a/b","kind":"Gadget","name":"b"}`), &n)
	if err == nil || !strings.Contains(err.Error(), `unknown kind "Gadget"`) {
		t.Fatalf("err = %v, want it to name the unknown kind", err)
	}
	a := &Node{ID: "Gadget/a/b", Kind: "Gadget", Pod: &PodFields{Status: "x"}}
	b := &Node{ID: "Gadget/a/b", Kind: "Gadget", Pod: &PodFields{Status: "y"}}
	if nodeEqual(a, b) {
		t.Error("nodes of an unknown kind with different fields compare equal")
	}
}
