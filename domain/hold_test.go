package domain_test

import (
	"testing"
	"time"

	"touchbase/domain"
)

// TestWordHold pins the wording of a hold, which the hooks' refusals
// (DescribeHold) and the worklist rows both use.
func TestWordHold(t *testing.T) {
	until := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		hold domain.HoldFacts
		want string
	}{
		{domain.HoldFacts{Reason: "declined", Note: "Declined the A offer", OccasionTitle: "Offer for A clients"},
			"reason: declined, Declined the A offer, for «Offer for A clients» only, until lifted"},
		{domain.HoldFacts{Reason: "ticket", HasTicket: true, TicketTitle: "Broken delivery", Note: "Ticket opened"},
			"reason: ticket, open ticket «Broken delivery», until lifted"},
		{domain.HoldFacts{Reason: "ticket", HasTicket: true, Note: "ticket gone"}, // the ticket was not found
			"reason: ticket, until lifted"},
		{domain.HoldFacts{Reason: "requested", Note: "Call in spring", Until: until},
			"reason: requested, Call in spring, until 2027-03-01"},
		{domain.HoldFacts{Reason: "other", Until: until.In(time.FixedZone("UTC+11", 11*3600))},
			"reason: other, until 2027-03-01"},
	}
	for _, c := range cases {
		if got := domain.WordHold(c.hold); got != c.want {
			t.Errorf("WordHold(%+v) = %q, want %q", c.hold, got, c.want)
		}
	}
}

// TestWordHoldInRussian pins the Russian wording of a hold (SPEC §3
// points.language): the same facts as TestWordHold, said in Russian.
func TestWordHoldInRussian(t *testing.T) {
	until := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		hold domain.HoldFacts
		want string
	}{
		{domain.HoldFacts{Reason: "declined", Note: "Отказался от предложения", OccasionTitle: "Предложение для A"},
			"причина: отказ, Отказался от предложения, только для «Предложение для A», до снятия"},
		{domain.HoldFacts{Reason: "ticket", HasTicket: true, TicketTitle: "Сломан терминал"},
			"причина: обращение, открыто обращение «Сломан терминал», до снятия"},
		{domain.HoldFacts{Reason: "requested", Note: "Позвонить весной", Until: until},
			"причина: просьба клиента, Позвонить весной, до 2027-03-01"},
		{domain.HoldFacts{Reason: "bought"}, "причина: покупка, до снятия"},
		{domain.HoldFacts{Reason: "other", Until: until}, "причина: другое, до 2027-03-01"},
	}
	for _, c := range cases {
		if got := domain.WordHoldIn("ru", c.hold); got != c.want {
			t.Errorf("WordHoldIn(ru, %+v) = %q, want %q", c.hold, got, c.want)
		}
	}
}
