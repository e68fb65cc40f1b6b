package read

import (
	"context"

	"github.com/dealflow/dealflow/db"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/internal/web"
	"github.com/jackc/pgx/v5/pgtype"
)

// SellerScope is the seller e-mail every co-sell read of p is limited to,
// in the API and the console alike: a seller's own (a seller without an
// e-mail matches nothing), none for other roles.
func (r *Reader) SellerScope(ctx context.Context, p web.Principal) (pgtype.Text, error) {
	if p.Role != domain.RoleSalesRep {
		return pgtype.Text{}, nil
	}
	email, err := r.CallerEmail(ctx, p)
	if err != nil || email == "" {
		return pgtype.Text{String: "!", Valid: true}, err
	}
	return pgtype.Text{String: email, Valid: true}, nil
}

// CallerEmail is the e-mail of the person behind p ("": none).
func (r *Reader) CallerEmail(ctx context.Context, p web.Principal) (string, error) {
	if !p.PersonID.Valid {
		return "", nil
	}
	email, err := r.q.CoSellPersonEmail(ctx, p.PersonID.UUID)
	if db.IsNotFound(err) {
		return "", nil
	}
	return email, err
}
