package db_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/mfa"
	"github.com/dealflow/dealflow/internal/passwords"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/google/uuid"
)

// t0 is the fixed instant the sign-in tests run at (the mid-point of a
// TOTP step, so that ±1 step is exact).
var t0 = time.Date(2026, 6, 1, 9, 0, 15, 0, time.UTC)

var linkToken = regexp.MustCompile(`\?token=(dft_[A-Za-z0-9_-]+)`)

// mailedToken is the token of the newest link mailed to address (from the
// outbox row's body), and how many such mails there are.
func mailedToken(t *testing.T, address, kind string) (string, int) {
	t.Helper()
	var bodies []string
	rows, err := testDB.Pool.Query(context.Background(), `SELECT body FROM notifications WHERE audience = $1 AND kind = $2 ORDER BY id`,
		"email:"+address, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	if len(bodies) == 0 {
		return "", 0
	}
	m := linkToken.FindStringSubmatch(bodies[len(bodies)-1])
	if m == nil {
		t.Fatalf("no link in %q", bodies[len(bodies)-1])
	}
	return m[1], len(bodies)
}

func mail(t *testing.T, email string, p domain.LinkPurpose, at time.Time) {
	t.Helper()
	if err := db.MailLink(context.Background(), testDB.Pool, db.LinkRequest{Email: email, Purpose: p, Now: at,
		LinkBase: "https://dealflow.example"}); err != nil {
		t.Fatal(err)
	}
}

func linkProblem(err error, field, says string) bool {
	var le *db.LinkError
	return errors.As(err, &le) && le.Field == field && strings.Contains(le.Msg, says)
}

// A reset link is mailed only to a person's address (an unknown one gets
// the same nil and no mail), works once and until its 30 minutes end,
// enforces the password policy (a refused password leaves the link
// usable), ends every console session of the person, and voids the
// person's other reset links.
func TestResetLinkSingleUseExpiringAndEndsSessions(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	email := "rae.reset@vendor.example"
	rae := holderToken(t, db.TokenHolder{Email: email, Name: "Rae Reset", Role: domain.RoleChannelManager})
	sid := uuid.NewString()
	if err := q.SessionCreateForUser(ctx, dbq.SessionCreateForUserParams{IDHash: tokens.Hash(sid), UserID: uuid.NullUUID{UUID: rae.UserID, Valid: true},
		Csrf: "c", ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.PrincipalBySession(ctx, dbq.PrincipalBySessionParams{IDHash: tokens.Hash(sid), Now: t0}); err != nil {
		t.Fatalf("the session before the reset: %v", err)
	}
	mail(t, "nobody.here@vendor.example", domain.LinkReset, t0)
	if _, n := mailedToken(t, "nobody.here@vendor.example", "password_reset"); n != 0 {
		t.Fatal("an unknown address was mailed")
	}
	mail(t, strings.ToUpper(email), domain.LinkReset, t0)
	first, n := mailedToken(t, email, "password_reset")
	if n != 1 || !strings.HasPrefix(first, "dft_") {
		t.Fatalf("%d mails, token %q", n, first)
	}
	var stored int
	if err := testDB.Pool.QueryRow(ctx, `SELECT count(*) FROM sign_in_links WHERE token_hash = $1`, tokens.Hash(first)).Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("the link's hash stored %d times (%v)", stored, err)
	}
	mail(t, email, domain.LinkReset, t0.Add(time.Minute))
	second, _ := mailedToken(t, email, "password_reset")

	if err := db.CheckLink(ctx, q, second, domain.LinkReset, t0.Add(30*time.Minute)); err != nil {
		t.Fatalf("the second link at 29 minutes: %v", err)
	}
	if _, err := db.ResetPassword(ctx, testDB.Pool, second, "password1234", t0.Add(30*time.Minute)); !linkProblem(err, "password", "common") {
		t.Fatalf("a common password: %v", err)
	}
	const pw = "quartz-meadow-lantern-9"
	if _, err := db.ResetPassword(ctx, testDB.Pool, second, pw, t0.Add(30*time.Minute)); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if _, err := db.ResetPassword(ctx, testDB.Pool, second, pw+"x", t0.Add(30*time.Minute)); !linkProblem(err, "token", "already been used") {
		t.Fatalf("the link again: %v", err)
	}
	if _, err := db.ResetPassword(ctx, testDB.Pool, first, pw+"x", t0.Add(2*time.Minute)); !linkProblem(err, "token", "already been used") {
		t.Fatalf("the older link after a reset: %v", err)
	}
	if _, err := db.ResetPassword(ctx, testDB.Pool, "dft_nothing", pw, t0); !linkProblem(err, "token", "not valid") {
		t.Fatalf("an unknown link: %v", err)
	}
	var hash string
	if err := testDB.Pool.QueryRow(ctx, `SELECT password_hash FROM people WHERE id = $1`, rae.PersonID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if ok, _ := passwords.Check(pw, hash); !ok {
		t.Fatal("the new password does not check")
	}
	if _, err := q.PrincipalBySession(ctx, dbq.PrincipalBySessionParams{IDHash: tokens.Hash(sid), Now: t0.Add(30 * time.Minute)}); !db.IsNotFound(err) {
		t.Fatalf("the session survived the reset: %v", err)
	}

	// Expiry, from the clock the caller passes.
	mail(t, email, domain.LinkReset, t0.Add(time.Hour))
	third, _ := mailedToken(t, email, "password_reset")
	if _, err := db.ResetPassword(ctx, testDB.Pool, third, pw+"y", t0.Add(time.Hour+domain.ResetLinkTTL)); !linkProblem(err, "token", "expired") {
		t.Fatalf("at 30 minutes: %v", err)
	}
}

// At most domain.LinkMailsPerWindow links of a purpose reach a person
// within the window; later requests mail nothing and answer the same.
func TestLinkMailsAreCapped(t *testing.T) {
	email := "cap.links@vendor.example"
	holderToken(t, db.TokenHolder{Email: email, Name: "Cap", Role: domain.RoleChannelManager})
	for i := range 5 {
		mail(t, email, domain.LinkSignIn, t0.Add(time.Duration(i)*time.Minute))
	}
	if _, n := mailedToken(t, email, "sign_in_link"); n != domain.LinkMailsPerWindow {
		t.Fatalf("%d sign-in links mailed, want %d", n, domain.LinkMailsPerWindow)
	}
	mail(t, email, domain.LinkSignIn, t0.Add(domain.LinkMailWindow+5*time.Minute))
	if _, n := mailedToken(t, email, "sign_in_link"); n != domain.LinkMailsPerWindow+1 {
		t.Fatalf("after the window: %d", n)
	}
}

// A sign-in link signs in the person's user once, within 15 minutes; a
// deactivated user's link signs nobody in.
func TestSignInLinkSingleUseAndExpiry(t *testing.T) {
	ctx := context.Background()
	email := "lin.link@vendor.example"
	lin := holderToken(t, db.TokenHolder{Email: email, Name: "Lin Link", Role: domain.RoleFinance})
	mail(t, email, domain.LinkSignIn, t0)
	tok, _ := mailedToken(t, email, "sign_in_link")
	who, err := db.UseSignInLink(ctx, testDB.Pool, tok, t0.Add(14*time.Minute))
	if err != nil || who.UserID != lin.UserID || who.Role != "finance" || who.TotpEnabled {
		t.Fatalf("sign-in: %+v %v", who, err)
	}
	if _, err := db.UseSignInLink(ctx, testDB.Pool, tok, t0.Add(14*time.Minute)); !linkProblem(err, "token", "already been used") {
		t.Fatalf("second use: %v", err)
	}
	mail(t, email, domain.LinkSignIn, t0.Add(time.Hour))
	late, _ := mailedToken(t, email, "sign_in_link")
	if _, err := db.UseSignInLink(ctx, testDB.Pool, late, t0.Add(time.Hour+domain.SignInLinkTTL)); !linkProblem(err, "token", "expired") {
		t.Fatalf("at 15 minutes: %v", err)
	}
	mail(t, email, domain.LinkSignIn, t0.Add(2*time.Hour))
	gone, _ := mailedToken(t, email, "sign_in_link")
	if err := db.DeactivateUser(ctx, testDB.Pool, lin.UserID, uuid.NullUUID{}, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UseSignInLink(ctx, testDB.Pool, gone, t0.Add(2*time.Hour)); !linkProblem(err, "token", "deactivated") {
		t.Fatalf("a deactivated user's link: %v", err)
	}
}

// TOTP at a fixed clock: enrolment only for the roles that may, active
// once confirmed by a valid code; a code is accepted once (replay within
// its window refused), ±1 step of skew; recovery codes work once; five
// wrong codes end a challenge; disabling needs a current code.
func TestTOTPEnrolChallengeReplayAndRecovery(t *testing.T) {
	ctx := context.Background()
	q := dbq.New(testDB.Pool)
	sealer, err := mfa.NewSealer("db-test-totp-key-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	manager := holderToken(t, db.TokenHolder{Email: "mo.manager@vendor.example", Name: "Mo", Role: domain.RoleChannelManager})
	if _, err := db.BeginTOTP(ctx, testDB.Pool, sealer, manager.PersonID.UUID); !errors.Is(err, db.ErrTOTPNotAllowed) {
		t.Fatalf("a channel manager enrolled: %v", err)
	}
	fin := holderToken(t, db.TokenHolder{Email: "fay.finance@vendor.example", Name: "Fay", Role: domain.RoleFinance})
	person := fin.PersonID.UUID
	if _, err := db.BeginTOTP(ctx, testDB.Pool, mfa.Sealer{}, person); !errors.Is(err, mfa.ErrNoKey) {
		t.Fatalf("without a key: %v", err)
	}
	e, err := db.BeginTOTP(ctx, testDB.Pool, sealer, person)
	if err != nil || !strings.HasPrefix(e.URI, "otpauth://totp/") {
		t.Fatalf("begin: %+v %v", e, err)
	}
	var sealed []byte
	if err := testDB.Pool.QueryRow(ctx, `SELECT totp_secret FROM people WHERE id = $1`, person).Scan(&sealed); err != nil ||
		strings.Contains(string(sealed), e.Secret) {
		t.Fatalf("the secret is stored in the clear (%v)", err)
	}
	code := func(at time.Time, d int64) string {
		c, err := mfa.Code(e.Secret, mfa.Step(at)+d)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := db.ConfirmTOTP(ctx, testDB.Pool, sealer, person, code(t0, 2), t0); !errors.Is(err, db.ErrBadCode) {
		t.Fatalf("a code two steps ahead confirmed: %v", err)
	}
	codes, err := db.ConfirmTOTP(ctx, testDB.Pool, sealer, person, code(t0, -1), t0)
	if err != nil || len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("confirm with the previous step's code: %v %v", codes, err)
	}
	if st, _ := db.TOTPStatus(ctx, q, person); !st.Enabled || st.RecoveryCodesLeft != int64(mfa.RecoveryCodeCount) {
		t.Fatalf("status %+v", st)
	}
	if _, err := db.BeginTOTP(ctx, testDB.Pool, sealer, person); !errors.Is(err, db.ErrTOTPEnabled) {
		t.Fatalf("a second enrolment over an enabled one: %v", err)
	}

	answer := func(at time.Time, c string) (bool, error) {
		id, err := db.StartChallenge(ctx, q, fin.UserID, at)
		if err != nil {
			t.Fatal(err)
		}
		_, ok, err := db.AnswerChallenge(ctx, testDB.Pool, sealer, id, c, at)
		return ok, err
	}
	at := t0.Add(30 * time.Second)
	if ok, err := answer(at, code(at, 0)); !ok || err != nil {
		t.Fatalf("the current code: %v %v", ok, err)
	}
	if ok, _ := answer(at.Add(10*time.Second), code(at, 0)); ok {
		t.Fatal("a used code was accepted again within its window")
	}
	if ok, _ := answer(at, code(at, -1)); ok {
		t.Fatal("an older code was accepted after a newer one")
	}
	if ok, _ := answer(at, code(at, 1)); !ok {
		t.Fatal("the next step's code (skew +1) was refused")
	}
	if ok, _ := answer(at, strings.ToLower(codes[0])); !ok {
		t.Fatal("a recovery code was refused")
	}
	if ok, _ := answer(at, codes[0]); ok {
		t.Fatal("a recovery code worked twice")
	}

	// Five wrong codes end the challenge.
	id, _ := db.StartChallenge(ctx, q, fin.UserID, at)
	for i := range domain.MFAMaxFailures {
		if _, ok, err := db.AnswerChallenge(ctx, testDB.Pool, sealer, id, "000000", at); ok || err != nil {
			t.Fatalf("wrong code %d: %v %v", i, ok, err)
		}
	}
	if _, _, err := db.AnswerChallenge(ctx, testDB.Pool, sealer, id, code(at.Add(time.Minute), 0), at.Add(time.Minute)); !errors.Is(err, db.ErrChallengeGone) {
		t.Fatalf("after five wrong codes: %v", err)
	}
	// A challenge expires.
	id, _ = db.StartChallenge(ctx, q, fin.UserID, at)
	later := at.Add(domain.MFAChallengeTTL)
	if _, _, err := db.AnswerChallenge(ctx, testDB.Pool, sealer, id, code(later, 0), later); !errors.Is(err, db.ErrChallengeGone) {
		t.Fatalf("an expired challenge: %v", err)
	}

	off := at.Add(5 * time.Minute)
	if err := db.DisableTOTP(ctx, testDB.Pool, sealer, person, "123456", off); !errors.Is(err, db.ErrBadCode) {
		t.Fatalf("disable with a wrong code: %v", err)
	}
	if err := db.DisableTOTP(ctx, testDB.Pool, sealer, person, code(off, 0), off); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.TOTPStatus(ctx, q, person); st.Enabled || st.Pending || st.RecoveryCodesLeft != 0 {
		t.Fatalf("after disable %+v", st)
	}
}
