package domain

import "testing"

// RoundDecimal rounds as PostgreSQL's round(x::numeric, n): ties of the
// 15-digit decimal away from zero, where math.Round of the binary value
// would go down.
func TestRoundDecimal(t *testing.T) {
	for _, c := range []struct {
		x      float64
		places int
		want   float64
	}{
		{0.845, 2, 0.85}, {0.8449999999999999, 2, 0.85}, {0.84499, 2, 0.84}, {0.7125, 3, 0.713},
		{0.0005, 3, 0.001}, {1, 3, 1}, {0, 2, 0}, {0.3333333333, 3, 0.333}, {0.6666666666, 2, 0.67},
		{0.75 + 0.25*0.41, 3, 0.853}, {-0.125, 2, -0.13}, {2.675, 2, 2.68},
	} {
		if got := RoundDecimal(c.x, c.places); got != c.want {
			t.Errorf("RoundDecimal(%v, %d) = %v, want %v", c.x, c.places, got, c.want)
		}
	}
}
