package krmio

import (
	"bytes"
	"fmt"
)

// Limits bound what Parse builds. The YAML parser keeps about 200 bytes per node, so
// an input far below the byte limit can still take gigabytes: 200,000 tiny items in
// 19 MB, or one flow list of millions of zeros. Parse counts first, on the bytes,
// and refuses such input before a single node is built. Zero means no limit.
type Limits struct {
	// MaxItems bounds the items: the documents of a stream, the entries of a
	// ResourceList's items.
	MaxItems int
	// MaxItemNodes bounds the YAML nodes of one item (or of the function config).
	MaxItemNodes int
}

// shape is what a pass over the raw text finds, before parsing: lower bounds of the
// items and of the nodes of each, never more than the parser will find, so that a
// count over a limit always means an input over it.
//
// It reads YAML's block structure line by line: block sequence entries ("- "),
// mapping keys (": "), and inside flow collections the separating commas, skipping
// comments, quoted scalars and block scalars (| and >), whose text may look like
// structure. Where the text is unusual it counts less, never more.
type shape struct {
	// docs counts the documents with content.
	docs int
	// listAPIVersion is the first document's root apiVersion when its root kind
	// is ResourceList; items counts the entries of its root items sequence.
	listAPIVersion string
	items          int
	// nodes counts the nodes of the current unit: an item (index item), a
	// document or the rest of the ResourceList (item -1); maxNodes and maxAt are
	// the largest count and its item.
	nodes, item, maxNodes, maxAt int

	// The reader's state between lines.
	rootKind  string
	inItems   bool // in the first document's root items value
	flowItems bool // items is a flow sequence: count its entries at depth 1
	entryNext bool // in flow items, the next token starts an entry
	seqIndent int  // indentation of items' block entries (-1: not seen yet)
	quote     byte // the open quote of a multi-line quoted scalar, or 0
	flow      int  // depth of the open flow collections
	// inBlockScalar is set in a block scalar's text: the lines indented more
	// than blockIndent (-1 for a document's root scalar) and blank lines.
	inBlockScalar bool
	blockIndent   int
	// plain is set when the last line ended in a plain scalar, which lines
	// indented more than plainIndent continue. opener is the column of the last
	// key or entry whose value was left for the next line (-1: none, so that a
	// bare scalar is the document's root, which any line continues).
	plain               bool
	plainIndent, opener int
	contentInDoc        bool
}

func scan(data []byte) *shape {
	s := &shape{seqIndent: -1, item: -1, maxAt: -1, opener: -1}
	for len(data) > 0 {
		line := data
		if i, n := lineBreak(data); i >= 0 { // CR LF leaves an empty line
			line, data = data[:i], data[i+n:]
		} else {
			data = nil
		}
		for bytes.HasPrefix(line, byteOrderMark) { // the parser skips one before a document
			line = line[len(byteOrderMark):]
		}
		if (bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("..."))) && (len(line) == 3 || line[3] == ' ' || line[3] == '\t') {
			// A document marker ends everything open, block and quoted scalars included.
			s.endUnit(-1)
			if s.contentInDoc {
				s.docs++
			}
			s.contentInDoc, s.inItems, s.quote, s.flow, s.plain, s.opener, s.inBlockScalar = false, false, 0, 0, false, -1, false
			if line[0] == '.' {
				continue
			}
			line = line[3:]
		} else if s.inBlockScalar {
			if indent(line) > s.blockIndent || len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			s.inBlockScalar = false
		}
		s.line(line)
	}
	s.endUnit(-1)
	if s.contentInDoc {
		s.docs++
	}
	if s.docs > 1 || s.rootKind != "ResourceList" {
		s.listAPIVersion = ""
	}
	return s
}

var byteOrderMark = []byte("\ufeff")

// lineBreak finds the first line break of data as the YAML parser sees them: LF,
// CR, and NEL, LS and PS; it returns its offset and length (-1 when there is none).
func lineBreak(data []byte) (int, int) {
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '\n' || c == '\r':
			return i, 1
		case c == 0xC2 && i+1 < len(data) && data[i+1] == 0x85:
			return i, 2
		case c == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9):
			return i, 3
		}
	}
	return -1, 0
}

// line reads one line outside block scalar text.
func (s *shape) line(line []byte) {
	if s.quote != 0 || s.flow != 0 {
		s.inline(line, 0)
		return
	}
	ind := indent(line)
	p := ind
	if p >= len(line) || line[p] == '#' {
		return
	}
	if s.plain && ind > s.plainIndent {
		return // more of a multi-line plain scalar
	}
	s.plain = false
	// owner is the column a continuation of a plain scalar at the end of this
	// line must be indented beyond: its key's, its sequence entry's dash, or for
	// a scalar alone on its line the opener's.
	owner := s.opener
	first := s.docs == 0
	if q := skipProperties(line, p); q < len(line) && line[q] != '#' {
		s.contentInDoc = true // a tag or anchor alone is no content yet
	}
	if first && s.inItems && ind == 0 && !isEntry(line, 0) {
		s.inItems = false // the next root key
		s.endUnit(-1)
	}
	for isEntry(line, p) {
		if first && s.inItems && !s.flowItems && (s.seqIndent < 0 || s.seqIndent == p) && p == ind {
			s.seqIndent = p
			s.endUnit(s.items)
			s.items++
		}
		s.nodes++
		owner = p
		p = skipSpace(line, p+1)
	}
	if key, end := mappingKey(line, p); end > 0 {
		s.nodes++
		owner = p
		if first && ind == 0 && p == 0 {
			s.rootKey(key, line[end:])
		}
		p = end
	}
	p = skipProperties(line, skipSpace(line, p))
	switch {
	case p >= len(line) || line[p] == '#':
		s.opener = owner // the value comes on the next lines
	case line[p] == '|' || line[p] == '>':
		s.inBlockScalar, s.blockIndent = true, owner
	case s.inline(line, p) && s.quote == 0 && s.flow == 0:
		s.plain, s.plainIndent = true, owner
	}
}

// inline reads the rest of a line from p: quoted scalars and flow collections. It
// reports whether the line ends in a plain scalar of the block context.
func (s *shape) inline(line []byte, p int) (plain bool) {
	tokenStart := true
	for ; p < len(line); p++ {
		c := line[p]
		if s.quote != 0 {
			switch {
			case s.quote == '"' && c == '\\':
				p++
			case c == s.quote && s.quote == '\'' && p+1 < len(line) && line[p+1] == '\'':
				p++
			case c == s.quote:
				s.quote, tokenStart = 0, false
			}
			continue
		}
		plain = plain && s.flow == 0
		if s.entryNext && s.flow == 1 && c != ' ' && c != '\t' && c != ',' && c != ']' && c != '#' {
			s.endUnit(s.items) // an entry of items starts
			s.items++
			s.entryNext = false
		}
		switch {
		case (c == '"' || c == '\'') && tokenStart:
			s.quote = c
		case c == '#' && (p == 0 || line[p-1] == ' ' || line[p-1] == '\t'):
			return plain
		case (c == '[' || c == '{') && (tokenStart || s.flow > 0):
			s.flow++
			s.nodes++ // the collection
			s.entryNext = s.flowItems && s.flow == 1
			tokenStart = true
		case (c == ']' || c == '}') && s.flow > 0:
			s.flow--
			if s.flowItems && s.flow == 0 {
				s.endUnit(-1)
				s.entryNext = false
			}
			tokenStart = false
		case c == ',' && s.flow > 0:
			if s.flowItems && s.flow == 1 {
				s.entryNext = true
			} else {
				s.nodes++
			}
			tokenStart = true
		case c == ':' && (s.flow > 0 || p+1 == len(line) || line[p+1] == ' ' || line[p+1] == '\t'):
			tokenStart, plain = true, false
		case c == ' ' || c == '\t':
			tokenStart = tokenStart || s.flow > 0
		default:
			tokenStart, plain = false, s.flow == 0
		}
	}
	if s.flowItems && s.flow == 0 {
		s.flowItems, s.inItems = false, false
	}
	return plain
}

// rootKey notes the root keys that tell a ResourceList and where its items are.
func (s *shape) rootKey(key string, value []byte) {
	v := string(bytes.Trim(bytes.TrimSpace(value), `"'`))
	if i := bytes.Index(value, []byte(" #")); i >= 0 {
		v = string(bytes.Trim(bytes.TrimSpace(value[:i]), `"'`))
	}
	switch key {
	case "kind":
		s.rootKind = v
	case "apiVersion":
		s.listAPIVersion = v
	case "items":
		s.inItems, s.seqIndent = true, -1
		s.flowItems = bytes.HasPrefix(bytes.TrimSpace(value), []byte("["))
	}
}

// endUnit closes the current unit and starts one for next (-1: not an item).
func (s *shape) endUnit(next int) {
	if s.nodes > s.maxNodes {
		s.maxNodes, s.maxAt = s.nodes, s.item
	}
	s.nodes, s.item = 0, next
}

// check returns the first limit the shape exceeds, as an error.
func (s *shape) check(lim Limits) error {
	items := s.docs
	if s.listAPIVersion != "" && resourceListVersions[s.listAPIVersion] {
		items = s.items
	}
	if lim.MaxItems > 0 && items > lim.MaxItems {
		return &LimitError{Limit: "items", msg: fmt.Sprintf("%d items exceed maxItems %d", items, lim.MaxItems)}
	}
	if lim.MaxItemNodes > 0 && s.maxNodes > lim.MaxItemNodes {
		where := "a document"
		if s.maxAt >= 0 {
			where = fmt.Sprintf("items[%d]", s.maxAt)
		}
		return &LimitError{Limit: "nodes", msg: fmt.Sprintf("%s has more than %d YAML nodes: no Kubernetes object has that many", where, lim.MaxItemNodes)}
	}
	return nil
}

// LimitError is an input over a limit counted before parsing. It is ErrTooLarge.
type LimitError struct {
	// Limit is "items" or "nodes".
	Limit string
	msg   string
}

func (e *LimitError) Error() string        { return ErrTooLarge.Error() + ": " + e.msg }
func (e *LimitError) Is(target error) bool { return target == ErrTooLarge }

func indent(line []byte) int {
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	return i
}

func skipSpace(line []byte, p int) int {
	for p < len(line) && (line[p] == ' ' || line[p] == '\t') {
		p++
	}
	return p
}

// isEntry reports whether a block sequence entry ("-" then a space or the end of
// the line) starts at p.
func isEntry(line []byte, p int) bool {
	return p < len(line) && line[p] == '-' && (p+1 == len(line) || line[p+1] == ' ' || line[p+1] == '\t')
}

// mappingKey finds a plain block mapping key at p ("key: ..." or "key:" at the end
// of the line) and returns it and the position after its colon (0 when none). Keys
// that are quoted or start a flow collection are left to inline: counting less is
// safe.
func mappingKey(line []byte, p int) (string, int) {
	if p >= len(line) {
		return "", 0
	}
	if c := line[p]; c == '#' || c == '"' || c == '\'' || c == '[' || c == '{' || c == '&' || c == '!' || c == '*' || c == '?' {
		return "", 0
	}
	for i := p; i < len(line); i++ {
		switch {
		case line[i] == '#' && i > p && (line[i-1] == ' ' || line[i-1] == '\t'):
			return "", 0
		case line[i] == ':' && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'):
			return string(line[p:i]), i + 1
		}
	}
	return "", 0
}

// skipProperties skips an anchor (&a) and a tag (!t) before a value.
func skipProperties(line []byte, p int) int {
	for p < len(line) && (line[p] == '&' || line[p] == '!') {
		for p < len(line) && line[p] != ' ' && line[p] != '\t' {
			p++
		}
		p = skipSpace(line, p)
	}
	return p
}
