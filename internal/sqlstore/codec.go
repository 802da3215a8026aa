package sqlstore

import "time"

// The hot paths of reading and writing rows spend much of their time on
// times and lists. These functions handle the common shapes by hand and
// give the same results as time.Format/time.Parse and encoding/json;
// anything unusual falls back to those.

// formatFixedTime returns t, which must be UTC, in sqliteTimeLayout.
func formatFixedTime(t time.Time) string {
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format(sqliteTimeLayout)
	}
	h, mi, s := t.Clock()
	var b [len(sqliteTimeLayout)]byte
	putDigits(b[0:4], y)
	b[4] = '-'
	putDigits(b[5:7], int(mo))
	b[7] = '-'
	putDigits(b[8:10], d)
	b[10] = 'T'
	putDigits(b[11:13], h)
	b[13] = ':'
	putDigits(b[14:16], mi)
	b[16] = ':'
	putDigits(b[17:19], s)
	b[19] = '.'
	putDigits(b[20:26], t.Nanosecond()/1000)
	b[26] = 'Z'
	return string(b[:])
}

// putDigits writes v in decimal into all of b, zero-padded.
func putDigits(b []byte, v int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// parseFixedTime reads a time in sqliteTimeLayout; ok is false for any
// other text, which the caller parses the general way.
func parseFixedTime(s string) (t time.Time, ok bool) {
	if len(s) != len(sqliteTimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
		s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d := num(0, 4), num(5, 7), num(8, 10)
	h, mi, sec, us := num(11, 13), num(14, 16), num(17, 19), num(20, 26)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
		sec < 0 || sec > 59 || us < 0 {
		return time.Time{}, false
	}
	t = time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC)
	if t.Day() != d { // 31 November and the like: let time.Parse refuse it
		return time.Time{}, false
	}
	return t, true
}

// plainByte reports whether c stands for itself inside a JSON string as
// encoding/json writes it: printable ASCII but for '"', '\\' and the
// characters it escapes for HTML.
func plainByte(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

// appendPlainList appends s as a JSON array, byte for byte what
// json.Marshal writes; ok is false when a string needs escaping.
func appendPlainList(b []byte, s []string) ([]byte, bool) {
	b = append(b, '[')
	for i, v := range s {
		for j := 0; j < len(v); j++ {
			if !plainByte(v[j]) {
				return nil, false
			}
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, v...)
		b = append(b, '"')
	}
	return append(b, ']'), true
}

// parsePlainList reads a JSON array of strings written without spaces or
// escapes (as appendPlainList writes them); an empty array reads as nil.
// ok is false for any other text, which the caller decodes with
// encoding/json.
func parsePlainList(b string) (s []string, ok bool) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return nil, false
	}
	body := b[1 : len(b)-1]
	for len(body) > 0 {
		if body[0] != '"' {
			return nil, false
		}
		end := 1
		for end < len(body) && body[end] != '"' {
			if body[end] < 0x20 || body[end] >= 0x7f || body[end] == '\\' {
				return nil, false
			}
			end++
		}
		if end == len(body) {
			return nil, false
		}
		s = append(s, body[1:end])
		body = body[end+1:]
		if len(body) > 0 {
			if body[0] != ',' || len(body) == 1 {
				return nil, false
			}
			body = body[1:]
		}
	}
	return s, true
}
