package lifecycle

import (
	quoteacts "github.com/dealflow/dealflow/activities/quote"
	"github.com/dealflow/dealflow/domain"
	"github.com/dealflow/dealflow/workflows/deal"
	"github.com/dealflow/dealflow/workflows/quote"
)

// closeDealInput is the win an accepted quote (its version) reports on
// its deal: the quote's net total in its currency, its product lines and
// units (per-unit SPIFFs pay on them), closed on the day the customer
// accepted, by the partner user who recorded the acceptance.
func closeDealInput(in quote.Input, version int, p domain.PricedQuote, a quote.Acceptance) quoteacts.CloseDealInput {
	return quoteacts.CloseDealInput{DealWorkflowID: in.DealWorkflowID, QuoteID: in.QuoteID, Won: deal.CloseWon{
		Actor: a.Actor, Amount: p.NetTotal, Currency: p.Currency, ProductLines: p.ProductLines, Units: p.Units,
		CloseDate: a.AcceptedOn, QuoteID: in.QuoteID, QuoteVersion: version}}
}
