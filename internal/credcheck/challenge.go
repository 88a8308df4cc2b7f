package credcheck

import "strings"

// challenge is one authentication challenge of a WWW-Authenticate header
// (RFC 9110 §11.6.1): a scheme, lower-cased, and its parameters, names
// lower-cased.
type challenge struct {
	Scheme string
	Params map[string]string
}

// parseWWWAuthenticate reads the challenges of WWW-Authenticate header
// values. It is lenient: it stops at what it cannot read and keeps what it
// read before. A token68 credential (not used by registries) is read as the
// start of the next challenge.
func parseWWWAuthenticate(values []string) []challenge {
	var out []challenge
	for _, v := range values {
		out = append(out, parseChallenges(v)...)
	}
	return out
}

func parseChallenges(s string) []challenge {
	var out []challenge
	p := &headerParser{s: s}
	for {
		p.skip(" \t,")
		scheme := p.token()
		if scheme == "" {
			return out
		}
		ch := challenge{Scheme: strings.ToLower(scheme), Params: map[string]string{}}
		for {
			p.skip(" \t")
			start := p.i
			name := p.token()
			p.skip(" \t")
			if name == "" || !p.consume('=') {
				// Not a parameter: the next challenge begins here.
				p.i = start
				break
			}
			p.skip(" \t")
			var value string
			if p.peek() == '"' {
				var ok bool
				if value, ok = p.quoted(); !ok {
					return append(out, ch)
				}
			} else {
				value = p.token()
			}
			key := strings.ToLower(name)
			if _, seen := ch.Params[key]; !seen {
				ch.Params[key] = value
			}
			p.skip(" \t")
			if !p.consume(',') {
				break
			}
		}
		out = append(out, ch)
		if p.i < len(p.s) && p.peek() != ',' && !isTokenChar(p.peek()) && p.peek() != ' ' && p.peek() != '\t' {
			return out
		}
	}
}

type headerParser struct {
	s string
	i int
}

func (p *headerParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *headerParser) consume(b byte) bool {
	if p.i < len(p.s) && p.s[p.i] == b {
		p.i++
		return true
	}
	return false
}

func (p *headerParser) skip(set string) {
	for p.i < len(p.s) && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *headerParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted reads a quoted-string, undoing its backslash escapes.
func (p *headerParser) quoted() (string, bool) {
	p.i++ // the opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '"':
			p.i++
			return b.String(), true
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", false
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", false
}

// isTokenChar is RFC 9110's tchar.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// find returns the first challenge of the scheme.
func find(chs []challenge, scheme string) (challenge, bool) {
	for _, ch := range chs {
		if ch.Scheme == scheme {
			return ch, true
		}
	}
	return challenge{}, false
}
