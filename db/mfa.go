package db

import (
	"context"
	"errors"
	"time"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/mfa"
	"github.com/dealflow/dealflow/internal/tokens"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Why a TOTP enrolment step is refused.
var (
	ErrTOTPNotAllowed = errors.New("only partner admins, finance and admins may enrol a second factor")
	ErrTOTPEnabled    = errors.New("a second factor is already enabled; disable it first")
	ErrTOTPNotPending = errors.New("no enrolment is waiting for confirmation; start one first")
	ErrTOTPNotEnabled = errors.New("no second factor is enabled")
	ErrBadCode        = errors.New("that code is not valid (or was already used)")
	// ErrChallengeGone is a second-factor challenge that expired, ended
	// after too many wrong codes, or never was: sign in again.
	ErrChallengeGone = errors.New("the sign-in expired or had too many wrong codes; sign in again")
)

// TOTPState is a person's second factor as they see it.
type TOTPState struct {
	Enabled bool `json:"enabled"`
	// Pending: an enrolment was started and awaits its first code.
	Pending bool `json:"pending"`
	// RecoveryCodesLeft is how many recovery codes are unused.
	RecoveryCodesLeft int64 `json:"recovery_codes_left"`
	// MayEnrol: the person holds a role that may enrol.
	MayEnrol bool `json:"may_enrol"`
}

func mfaRoles() []string {
	out := make([]string, len(domain.MFARoles))
	for i, r := range domain.MFARoles {
		out[i] = string(r)
	}
	return out
}

// TOTPStatus is person's second-factor state.
func TOTPStatus(ctx context.Context, q *dbq.Queries, person uuid.UUID) (TOTPState, error) {
	p, err := q.PersonTOTP(ctx, person)
	if err != nil {
		return TOTPState{}, err
	}
	may, err := q.PersonMayUseTOTP(ctx, dbq.PersonMayUseTOTPParams{PersonID: uuid.NullUUID{UUID: person, Valid: true}, Roles: mfaRoles()})
	if err != nil {
		return TOTPState{}, err
	}
	left, err := q.RecoveryCodesLeft(ctx, person)
	if err != nil {
		return TOTPState{}, err
	}
	return TOTPState{Enabled: p.TotpEnabledAt.Valid, Pending: !p.TotpEnabledAt.Valid && p.TotpSecret != nil,
		RecoveryCodesLeft: left, MayEnrol: may}, nil
}

// BeginTOTP starts (or restarts) person's enrolment: a fresh secret,
// sealed, that counts only once ConfirmTOTP accepts a code of it. The
// secret is returned to be shown this once.
func BeginTOTP(ctx context.Context, pool *pgxpool.Pool, sealer mfa.Sealer, person uuid.UUID) (mfa.Enrolment, error) {
	var e mfa.Enrolment
	if !sealer.Enabled() {
		return e, mfa.ErrNoKey
	}
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		p, err := q.PersonTOTPForUpdate(ctx, person)
		if err != nil {
			return err
		}
		may, err := q.PersonMayUseTOTP(ctx, dbq.PersonMayUseTOTPParams{PersonID: uuid.NullUUID{UUID: person, Valid: true}, Roles: mfaRoles()})
		switch {
		case err != nil:
			return err
		case !may:
			return ErrTOTPNotAllowed
		case p.TotpEnabledAt.Valid:
			return ErrTOTPEnabled
		}
		if e, err = mfa.NewEnrolment(p.Email.String); err != nil {
			return err
		}
		sealed, err := sealer.Seal(e.Secret, person[:])
		if err != nil {
			return err
		}
		return q.PersonTOTPBegin(ctx, dbq.PersonTOTPBeginParams{ID: person, TotpSecret: sealed})
	})
	return e, err
}

// ConfirmTOTP turns person's pending enrolment on when code is a valid
// code of its secret, and returns fresh recovery codes (their hashes
// stored), to be shown this once.
func ConfirmTOTP(ctx context.Context, pool *pgxpool.Pool, sealer mfa.Sealer, person uuid.UUID, code string, now time.Time) ([]string, error) {
	var codes []string
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		p, err := q.PersonTOTPForUpdate(ctx, person)
		if err != nil {
			return err
		}
		if p.TotpEnabledAt.Valid {
			return ErrTOTPEnabled
		}
		if p.TotpSecret == nil {
			return ErrTOTPNotPending
		}
		if ok, err := acceptTOTP(ctx, q, sealer, p, code, now); err != nil || !ok {
			return errors.Join(err, okOr(ok, ErrBadCode))
		}
		if err := q.PersonTOTPEnable(ctx, dbq.PersonTOTPEnableParams{ID: person, EnabledAt: pgtype.Timestamptz{Time: now, Valid: true}}); err != nil {
			return err
		}
		codes, err = newRecoveryCodes(ctx, q, person, now)
		return err
	})
	return codes, err
}

func okOr(ok bool, err error) error {
	if ok {
		return nil
	}
	return err
}

func newRecoveryCodes(ctx context.Context, q *dbq.Queries, person uuid.UUID, now time.Time) ([]string, error) {
	if err := q.RecoveryCodesDelete(ctx, person); err != nil {
		return nil, err
	}
	codes, hashes, err := mfa.NewRecoveryCodes(mfa.RecoveryCodeCount)
	if err != nil {
		return nil, err
	}
	for _, h := range hashes {
		if err := q.RecoveryCodeAdd(ctx, dbq.RecoveryCodeAddParams{PersonID: person, CodeHash: h, CreatedAt: now}); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// DisableTOTP turns person's second factor off (and voids the recovery
// codes) when code is a current TOTP code or an unused recovery code.
func DisableTOTP(ctx context.Context, pool *pgxpool.Pool, sealer mfa.Sealer, person uuid.UUID, code string, now time.Time) error {
	return InTx(ctx, pool, func(q *dbq.Queries) error {
		p, err := q.PersonTOTPForUpdate(ctx, person)
		if err != nil {
			return err
		}
		if !p.TotpEnabledAt.Valid {
			return ErrTOTPNotEnabled
		}
		ok, err := secondFactor(ctx, q, sealer, p, code, now)
		if err != nil || !ok {
			return errors.Join(err, okOr(ok, ErrBadCode))
		}
		if err := q.PersonTOTPDisable(ctx, person); err != nil {
			return err
		}
		return q.RecoveryCodesDelete(ctx, person)
	})
}

// acceptTOTP checks a six-digit code against p's secret and records its
// step, so that the same code (or an older one) is refused from then on.
func acceptTOTP(ctx context.Context, q *dbq.Queries, sealer mfa.Sealer, p dbq.PersonTOTPForUpdateRow, code string, now time.Time) (bool, error) {
	secret, err := sealer.Open(p.TotpSecret, p.ID[:])
	if err != nil {
		return false, err
	}
	step, ok := mfa.Match(secret, code, now, p.TotpLastStep.Int64)
	if !ok {
		return false, nil
	}
	n, err := q.PersonTOTPAcceptStep(ctx, dbq.PersonTOTPAcceptStepParams{ID: p.ID, Step: pgtype.Int8{Int64: step, Valid: true}})
	return n == 1, err
}

// secondFactor checks code as a recovery code (used up when it matches)
// or as a TOTP code of p's enabled secret.
func secondFactor(ctx context.Context, q *dbq.Queries, sealer mfa.Sealer, p dbq.PersonTOTPForUpdateRow, code string, now time.Time) (bool, error) {
	if mfa.LooksLikeRecoveryCode(code) {
		n, err := q.RecoveryCodeUse(ctx, dbq.RecoveryCodeUseParams{PersonID: p.ID, CodeHash: mfa.RecoveryHash(code),
			UsedAt: pgtype.Timestamptz{Time: now, Valid: true}})
		return n == 1, err
	}
	return acceptTOTP(ctx, q, sealer, p, code, now)
}

// StartChallenge opens a second-factor challenge for user after a first
// factor (password or e-mailed link) succeeded, and returns its id (only
// its hash is stored), for a short-lived cookie.
func StartChallenge(ctx context.Context, q *dbq.Queries, user uuid.UUID, now time.Time) (string, error) {
	id, hash, err := tokens.New()
	if err != nil {
		return "", err
	}
	return id, q.MFAChallengeCreate(ctx, dbq.MFAChallengeCreateParams{IDHash: hash, UserID: user, CreatedAt: now,
		ExpiresAt: now.Add(domain.MFAChallengeTTL)})
}

// AnswerChallenge checks code (a TOTP or recovery code) against the
// challenge id. Right: the challenge ends and its user is returned with
// ok. Wrong: the failure is counted (the challenge ends at
// domain.MFAMaxFailures) and ok is false. A challenge that is gone:
// ErrChallengeGone.
func AnswerChallenge(ctx context.Context, pool *pgxpool.Pool, sealer mfa.Sealer, id, code string, now time.Time) (dbq.MFAChallengeGetRow, bool, error) {
	var ch dbq.MFAChallengeGetRow
	ok := false
	err := InTx(ctx, pool, func(q *dbq.Queries) error {
		var err error
		ch, err = q.MFAChallengeGet(ctx, dbq.MFAChallengeGetParams{IDHash: tokens.Hash(id), Now: now})
		if IsNotFound(err) {
			return ErrChallengeGone
		}
		if err != nil {
			return err
		}
		p, err := q.PersonTOTPForUpdate(ctx, ch.PersonID.UUID)
		if err != nil {
			return err
		}
		if !p.TotpEnabledAt.Valid {
			// Disabled meanwhile: the first factor is enough.
			ok = true
		} else if ok, err = secondFactor(ctx, q, sealer, p, code, now); err != nil {
			return err
		}
		if !ok {
			_, err := q.MFAChallengeFailed(ctx, dbq.MFAChallengeFailedParams{IDHash: ch.IDHash, MaxFailures: domain.MFAMaxFailures,
				Now: now})
			return err
		}
		return q.MFAChallengeEnd(ctx, dbq.MFAChallengeEndParams{IDHash: ch.IDHash, Now: pgtype.Timestamptz{Time: now, Valid: true}})
	})
	return ch, ok, err
}
