package config

import "testing"

func TestJSONIntegerIsExact(t *testing.T) {
	tests := []struct {
		text   string
		want   int64
		status integerStatus
	}{
		{"0", 0, integerOK},
		{"-0", 0, integerOK},
		{"0.0e-999999999999999999999", 0, integerOK},
		{"5242880", 5242880, integerOK},
		{"5.24288e6", 5242880, integerOK},
		{"5.24288E+6", 5242880, integerOK},
		{"524288000e-2", 5242880, integerOK},
		{"100.000", 100, integerOK},
		{"1.50e1", 15, integerOK},
		{"0.000001e6", 1, integerOK},
		{"-42", -42, integerOK},
		{"9223372036854775807", 9223372036854775807, integerOK},
		{"9007199254740993", 9007199254740993, integerOK},
		{"1.5", 0, integerFraction},
		{"1.0000000000000001", 0, integerFraction},
		{"5.242881e5", 0, integerFraction},
		{"1e-400", 0, integerFraction},
		{"1e-99999999999999999999", 0, integerFraction},
		{"9223372036854775808", 0, integerTooLarge},
		{"1e19", 0, integerTooLarge},
		{"1e400", 0, integerTooLarge},
		{"1e99999999999999999999", 0, integerTooLarge},
		{"-1e99999999999999999999", 0, integerTooLarge},
	}
	for _, tt := range tests {
		got, status := jsonInteger(tt.text)
		if got != tt.want || status != tt.status {
			t.Errorf("jsonInteger(%q) = %d, %d; want %d, %d", tt.text, got, status, tt.want, tt.status)
		}
	}
}
