package oidc

import "testing"

// TestSSO4_IdentityClaimsInIDTokenAndUserinfo: tokens carry who the user
// is (sub, email, name, locale) to a portal, in the ID token and from
// userinfo; the password hash and other account facts never appear.
func TestSSO4_IdentityClaimsInIDTokenAndUserinfo(t *testing.T) {
	h := newHarness(t)
	r := h.portalRP()
	s := r.signIn()
	c := s.claims
	if c.Sub != h.account.ID || c.Email != h.account.Email || !c.EmailVerified || c.Name != "María García" ||
		c.GivenName != "María" || c.FamilyName != "García" || c.Locale != "es" {
		t.Errorf("ID token claims = %+v", c)
	}
	info, err := r.userinfo(s.token.AccessToken)
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var all map[string]any
	if err := info.Claims(&all); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sub", "email", "name", "given_name", "family_name", "locale"} {
		if all[k] == nil || all[k] == "" {
			t.Errorf("userinfo lacks %s: %v", k, all)
		}
	}
	if all["sub"] != h.account.ID || all["locale"] != "es" {
		t.Errorf("userinfo = %v", all)
	}
	for _, k := range []string{"password", "password_hash", "phone_number", "failed_logins"} {
		if _, ok := all[k]; ok {
			t.Errorf("userinfo carries %s", k)
		}
	}
}
