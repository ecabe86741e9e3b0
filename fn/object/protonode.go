package object

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// ProtoNode converts a protobuf message into a YAML mapping node with the message's
// JSON field names in sorted order, leaving out unset fields. Well-known types are
// written as protojson writes them: Duration as "180s", wrappers as their value.
func ProtoNode(m protoreflect.Message) *yaml.Node {
	switch m.Descriptor().FullName() {
	case "google.protobuf.Duration":
		d := m.Interface().(*durationpb.Duration)
		return Str(formatDuration(d))
	case "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.UInt32Value",
		"google.protobuf.Int32Value", "google.protobuf.DoubleValue":
		fd := m.Descriptor().Fields().ByName("value")
		return scalarNode(fd, m.Get(fd))
	}
	type entry struct {
		key string
		val *yaml.Node
	}
	var entries []entry
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		entries = append(entries, entry{fd.JSONName(), fieldNode(fd, v)})
		return true
	})
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	n := Map()
	for _, e := range entries {
		n.Content = append(n.Content, Str(e.key), e.val)
	}
	return n
}

func fieldNode(fd protoreflect.FieldDescriptor, v protoreflect.Value) *yaml.Node {
	switch {
	case fd.IsList():
		l := v.List()
		n := Seq()
		for i := 0; i < l.Len(); i++ {
			n.Content = append(n.Content, singularNode(fd, l.Get(i)))
		}
		return n
	case fd.IsMap():
		mp := v.Map()
		keys := make([]string, 0, mp.Len())
		vals := map[string]protoreflect.Value{}
		mp.Range(func(k protoreflect.MapKey, val protoreflect.Value) bool {
			keys = append(keys, k.String())
			vals[k.String()] = val
			return true
		})
		sort.Strings(keys)
		n := Map()
		for _, k := range keys {
			n.Content = append(n.Content, Str(k), singularNode(fd.MapValue(), vals[k]))
		}
		return n
	}
	return singularNode(fd, v)
}

func singularNode(fd protoreflect.FieldDescriptor, v protoreflect.Value) *yaml.Node {
	if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
		return ProtoNode(v.Message())
	}
	return scalarNode(fd, v)
}

func scalarNode(fd protoreflect.FieldDescriptor, v protoreflect.Value) *yaml.Node {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return Str(v.String())
	case protoreflect.BoolKind:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagBool, Value: strconv.FormatBool(v.Bool())}
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return Str(string(ev.Name()))
		}
		return Int(int64(v.Enum()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return Int(v.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return Int(int64(v.Uint()))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		// protojson writes 64-bit integers as strings.
		return Str(strconv.FormatInt(v.Int(), 10))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return Str(strconv.FormatUint(v.Uint(), 10))
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagFloat, Value: strconv.FormatFloat(v.Float(), 'g', -1, 64)}
	case protoreflect.BytesKind:
		return Str(string(v.Bytes()))
	}
	panic(fmt.Sprintf("object: unsupported protobuf field kind %v", fd.Kind()))
}

// formatDuration writes a Duration the way protojson and Istio do: whole seconds as
// "180s", fractions with up to nine digits and no trailing zeros.
func formatDuration(d *durationpb.Duration) string {
	td := time.Duration(d.GetSeconds())*time.Second + time.Duration(d.GetNanos())
	s := strconv.FormatFloat(td.Seconds(), 'f', -1, 64)
	return s + "s"
}
