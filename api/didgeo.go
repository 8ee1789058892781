package api

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// didGeo is where a DID's number is from: its ISO region and, where
// libphonenumber's geocoding data has one, its area ("Quebec", "New
// York, NY").
type didGeo struct{ country, area string }

// geocode locates a DID's extension as written (SPEC §6.1). A number with
// a + is international; one without is read in region (astapi.ini
// [server] region), and, failing that, as E.164 without its + when it is
// long enough to hold a country code (providers often deliver DIDs so). A
// fixed-length pattern (_514555XXXX) is located by its smallest number;
// s, i, t and variable-length patterns (_X.) are nowhere. A number
// libphonenumber does not find valid is nowhere too.
func geocode(exten, region string) didGeo {
	num, ok := patternNumber(exten)
	if !ok {
		return didGeo{}
	}
	var tries []string
	if strings.HasPrefix(num, "+") {
		tries = append(tries, num)
	} else {
		if region != "" {
			tries = append(tries, num)
		}
		if len(num) >= 11 {
			tries = append(tries, "+"+num)
		}
	}
	for _, t := range tries {
		n, err := phonenumbers.Parse(t, region)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			continue
		}
		reg := phonenumbers.GetRegionCodeForNumber(n)
		if reg == "" || reg == "ZZ" || reg == "001" {
			return didGeo{}
		}
		area, err := phonenumbers.GetGeocodingForNumber(n, "en")
		if err != nil || area == countryName(reg) {
			// Without an area the library answers the country's name.
			area = ""
		}
		return didGeo{country: reg, area: area}
	}
	return didGeo{}
}

func countryName(region string) string {
	r, err := language.ParseRegion(region)
	if err != nil {
		return ""
	}
	return display.Regions(language.English).Name(r)
}

// patternNumber turns a dialplan extension into a number: digits and a
// leading + as they are; a pattern (_…) of fixed length with each X, N, Z
// and [class] replaced by the smallest digit it allows. ok is false for
// anything else (s, i, _X., letters).
func patternNumber(exten string) (string, bool) {
	if !strings.HasPrefix(exten, "_") {
		s := strings.TrimPrefix(exten, "+")
		if s == "" || strings.Trim(s, "0123456789") != "" {
			return "", false
		}
		return exten, true
	}
	var b strings.Builder
	p := exten[1:]
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			b.WriteByte(c)
		case '+':
			if i > 0 {
				return "", false
			}
			b.WriteByte(c)
		case 'X', 'x':
			b.WriteByte('0')
		case 'Z', 'z':
			b.WriteByte('1')
		case 'N', 'n':
			b.WriteByte('2')
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return "", false
			}
			min := byte(0)
			for _, d := range []byte(p[i+1 : i+end]) {
				if d >= '0' && d <= '9' && (min == 0 || d < min) {
					min = d
				}
			}
			if min == 0 {
				return "", false
			}
			b.WriteByte(min)
			i += end
		case '-', ' ':
		default: // '.', '!' and anything else: no fixed number
			return "", false
		}
	}
	if b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}
