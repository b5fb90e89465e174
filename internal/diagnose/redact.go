package diagnose

import (
	"regexp"
	"strings"
	"unicode"
)

// redacted replaces a value that looks like a credential.
const redacted = "[redacted]"

// A termination message is the last lines of a program's output, and the
// scheduler's and kubelet's messages quote what they were given: any of
// them may hold a token or a key, and a condition is readable by whoever
// may read the XR. Values are redacted where they look like credentials:
// after a word naming one, as a header, in a URL, or by their shape.
var (
	// hf_ tokens, AWS access key ids and JSON web tokens, wherever they
	// are.
	tokenShapes = regexp.MustCompile(`\bhf_[A-Za-z0-9]{8,}|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)
	// Authorization header values.
	authHeader = regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}`)
	// user:password@ in a URL.
	userInfo = regexp.MustCompile(`://[^/\s:@]+:[^/\s@]+@`)
	// A value after a word naming a credential (HF_TOKEN=, api_key:,
	// --api-key, "password": "..."). After a colon or an equals sign any
	// value is one; after a space only a word with a digit in it, so
	// prose ("the token is invalid") is kept.
	namedAssign = regexp.MustCompile(`(?i)([\w.-]*(?:token|secret|passw(?:or)?d|api[_-]?key|access[_-]?key|credential|private[_-]?key)[\w.-]*)("?\s*[:=]\s*["']?)([^\s"',;}]+)`)
	namedSpace  = regexp.MustCompile(`(?i)([\w.-]*(?:token|secret|passw(?:or)?d|api[_-]?key|access[_-]?key|credential|private[_-]?key)[\w.-]*)(\s+)([^\s"',;}]+)`)
	// Long opaque words: keys and tokens of unknown formats. A slash
	// ends one, so that a URL's path (a model's, on huggingface.co) is
	// kept.
	opaque = regexp.MustCompile(`[A-Za-z0-9+_-]{32,}={0,2}`)
)

// Redact replaces what looks like a credential in s.
func Redact(s string) string {
	s = tokenShapes.ReplaceAllString(s, redacted)
	s = userInfo.ReplaceAllString(s, "://"+redacted+"@")
	s = authHeader.ReplaceAllString(s, "${1}${2}"+redacted)
	s = namedAssign.ReplaceAllString(s, "${1}${2}"+redacted)
	s = namedSpace.ReplaceAllStringFunc(s, func(m string) string {
		sub := namedSpace.FindStringSubmatch(m)
		if sub[3] == redacted || !strings.ContainsFunc(sub[3], unicode.IsDigit) {
			return m
		}
		return sub[1] + sub[2] + redacted
	})
	return redactOpaque(s)
}

// redactOpaque replaces long words mixing letters and digits, but for
// image digests (sha256:...), which say which image failed, and words of
// several hyphenated parts: model names (DeepSeek-R1-Distill-Qwen-32B-...).
func redactOpaque(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range opaque.FindAllStringIndex(s, -1) {
		w := s[m[0]:m[1]]
		if strings.HasSuffix(s[:m[0]], "sha256:") || !strings.ContainsFunc(w, unicode.IsDigit) || !strings.ContainsFunc(w, unicode.IsLetter) ||
			strings.Count(w, "-") > 2 {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(redacted)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
