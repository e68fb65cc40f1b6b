package webhook

import (
	"testing"
	"time"
)

// The schedule doubles from 5 s to at most 6 h, the last attempt is made
// at three days exactly, and none after.
func TestRetrySchedule(t *testing.T) {
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if Backoff(14) != MaxBackoff || Backoff(100) != MaxBackoff {
		t.Errorf("Backoff(14) = %v, Backoff(100) = %v", Backoff(14), Backoff(100))
	}
	first := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	if next, ok := NextAttempt(first, first, 1); !ok || next != first.Add(5*time.Second) {
		t.Errorf("after the first: %v %v", next, ok)
	}
	late := first.Add(RetryFor - time.Hour)
	if next, ok := NextAttempt(first, late, 20); !ok || next != first.Add(RetryFor) {
		t.Errorf("near the end: %v %v, want the deadline", next, ok)
	}
	if _, ok := NextAttempt(first, first.Add(RetryFor), 25); ok {
		t.Error("an attempt after three days")
	}
	if MessageID("0190a0e0-0000-7000-8000-000000000001", 42) != "msg_42_0190a0e0000070008000000000000001" {
		t.Error(MessageID("0190a0e0-0000-7000-8000-000000000001", 42))
	}
}
