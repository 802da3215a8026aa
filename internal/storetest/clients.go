package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

var clientTests = []suiteTest{
	{"Client/CRUD", testClientCRUD},
}

func testClientCRUD(t *testing.T, s domain.Store) {
	ctx := context.Background()
	list, err := s.ListClients(ctx)
	must(t, err)
	equal(t, "empty list", len(list), 0)

	b := &domain.Client{
		ID:                     "b-provider",
		Name:                   "Provider portal",
		Public:                 true,
		RedirectURIs:           []string{"http://127.0.0.1:8082/callback", "http://localhost:8082/callback"},
		PostLogoutRedirectURIs: []string{"http://127.0.0.1:8082/"},
		BackchannelLogoutURI:   "http://127.0.0.1:8082/backchannel",
		PortalType:             domain.PortalProvider,
		SigningAlg:             "ES256",
		CreatedAt:              t0.Add(time.Second),
	}
	a := &domain.Client{
		ID:           "a-member",
		Name:         "Member portal",
		SecretDigest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		RedirectURIs: []string{"http://127.0.0.1:8081/callback"},
		PortalType:   domain.PortalMember,
		CreatedAt:    t0,
	}
	must(t, s.CreateClient(ctx, b))
	must(t, s.CreateClient(ctx, a))

	got, err := s.ClientByID(ctx, b.ID)
	must(t, err)
	equal(t, "by id", got, b)
	list, err = s.ListClients(ctx)
	must(t, err)
	equal(t, "list by id", list, []*domain.Client{a, b})

	dup := *a
	dup.Name = "again"
	wantCode(t, s.CreateClient(ctx, &dup), domain.ECONFLICT, "same id")

	must(t, s.DeleteClient(ctx, a.ID))
	_, err = s.ClientByID(ctx, a.ID)
	wantCode(t, err, domain.ENOTFOUND, "deleted")
	wantCode(t, s.DeleteClient(ctx, a.ID), domain.ENOTFOUND, "delete twice")
	list, err = s.ListClients(ctx)
	must(t, err)
	equal(t, "after delete", list, []*domain.Client{b})
}
