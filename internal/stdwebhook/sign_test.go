package stdwebhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The specification's published test vector
// (spec/standard-webhooks.md, and every reference library's tests).
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTS     = 1614265330
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignReproducesThePublishedTestVector(t *testing.T) {
	got, err := Sign(vectorSecret, vectorID, time.Unix(vectorTS, 0), []byte(vectorBody))
	if err != nil || got != vectorSig {
		t.Fatalf("Sign = %q, %v; want %q", got, err, vectorSig)
	}
	h, err := Headers(vectorID, time.Unix(vectorTS, 0), []byte(vectorBody), vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if h.Get(HeaderID) != vectorID || h.Get(HeaderTimestamp) != "1614265330" || h.Get(HeaderSignature) != vectorSig {
		t.Errorf("headers = %v", h)
	}
	if err := Verify(vectorSecret, h, []byte(vectorBody), time.Unix(vectorTS+60, 0)); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

// During a rotation's overlap both signatures are sent, space-separated;
// a receiver holding either secret verifies; a tampered body, a stale
// timestamp or another secret does not.
func TestRotationOverlapAndRefusals(t *testing.T) {
	old, cur := NewSecret(), NewSecret()
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"approved"}`)
	h, err := Headers("msg_1", now, body, cur, old)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(h.Get(HeaderSignature))); n != 2 {
		t.Fatalf("%d signatures, want 2", n)
	}
	for _, s := range []string{old, cur} {
		if err := Verify(s, h, body, now); err != nil {
			t.Errorf("verify with one of the secrets: %v", err)
		}
	}
	if Verify(NewSecret(), h, body, now) == nil {
		t.Error("another secret verified")
	}
	if Verify(cur, h, []byte(`{"type":"rejected"}`), now) == nil {
		t.Error("a tampered body verified")
	}
	if Verify(cur, h, body, now.Add(6*time.Minute)) == nil {
		t.Error("a stale timestamp verified")
	}
	if _, err := Sign("whsec_c2hvcnQ=", "msg_1", now, body); err == nil {
		t.Error("a 5-byte secret signed")
	}
}

// Post sends the headers and body, and reports the receiver's answer
// without failing on it.
func TestPostReportsTheAnswer(t *testing.T) {
	secret := NewSecret()
	verified := make(chan error, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		verified <- Verify(secret, r.Header, body, time.Now())
		if r.URL.Path == "/gone" {
			w.WriteHeader(http.StatusGone)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	res, err := Post(context.Background(), srv.Client(), srv.URL+"/ok", "msg_2", time.Now(), []byte(`{}`), secret)
	if verr := <-verified; err != nil || !res.Delivered() || verr != nil {
		t.Errorf("ok: %+v %v %v", res, err, verr)
	}
	res, _ = Post(context.Background(), srv.Client(), srv.URL+"/gone", "msg_2", time.Now(), []byte(`{}`), secret)
	if !res.Gone() || res.Delivered() {
		t.Errorf("gone: %+v", res)
	}
	srv.Close()
	res, err = Post(context.Background(), http.DefaultClient, srv.URL, "msg_2", time.Now(), []byte(`{}`), secret)
	if err != nil || res.Status != 0 || res.Error == "" {
		t.Errorf("closed: %+v %v", res, err)
	}
}
