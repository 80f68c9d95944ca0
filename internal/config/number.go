package config

import (
	"math"
	"strconv"
	"strings"
)

// integerStatus says whether a JSON number has an exact integral value that
// fits an int64.
type integerStatus int

const (
	integerOK integerStatus = iota
	integerFraction
	integerTooLarge
)

// maxExponent bounds the exponents evaluated digit by digit.
const maxExponent = 1 << 30

// jsonInteger evaluates the decimal text of a JSON number exactly, so that
// 5.24288e6 is the integer 5242880 while 1.5 and 1e-400 are not integers.
// Floating point is avoided: it would round 9007199254740993 and accept
// 1.0000000000000001 as integral. The text must already be valid JSON.
func jsonInteger(text string) (int64, integerStatus) {
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimPrefix(text, "-")

	mantissa, expText, hasExp := strings.Cut(strings.ToLower(text), "e")
	intPart, fracPart, _ := strings.Cut(mantissa, ".")
	digits := strings.TrimLeft(intPart+fracPart, "0")
	if digits == "" {
		return 0, integerOK // every spelling of zero, whatever the exponent
	}

	exp := int64(0)
	if hasExp {
		e, err := strconv.ParseInt(expText, 10, 64)
		if err != nil || e > maxExponent || e < -maxExponent {
			// With a non-zero mantissa of bounded length such an exponent
			// makes the value either far too large or a fraction below 1;
			// bounding it also keeps the arithmetic below from overflowing.
			if strings.HasPrefix(expText, "-") {
				return 0, integerFraction
			}
			return 0, integerTooLarge
		}
		exp = e
	}
	exp -= int64(len(fracPart))

	trimmed := strings.TrimRight(digits, "0")
	exp += int64(len(digits) - len(trimmed))
	digits = trimmed

	if exp < 0 {
		return 0, integerFraction
	}
	if int64(len(digits))+exp > 19 {
		return 0, integerTooLarge
	}
	v, err := strconv.ParseUint(digits+strings.Repeat("0", int(exp)), 10, 64)
	if err != nil || v > math.MaxInt64 {
		return 0, integerTooLarge
	}
	if neg {
		return -int64(v), integerOK
	}
	return int64(v), integerOK
}
