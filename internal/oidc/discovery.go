package oidc

import (
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// serveDiscovery answers /.well-known/openid-configuration. It starts from
// the library's document, whose URLs come from the configured issuer, and
// removes what EntryKeyID does not offer: implicit and hybrid response
// types, the device, JWT-bearer and client-credentials grants,
// private_key_jwt and request objects. It adds back-channel logout with
// sid (backchannel.go).
func (p *Provider) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	d := op.CreateDiscoveryConfig(r.Context(), p.op, p.storage)
	d.DeviceAuthorizationEndpoint = ""
	d.CheckSessionIframe = ""
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	d.ResponseModesSupported = []string{string(oidc.ResponseModeQuery)}
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
	d.TokenEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodNone, oidc.AuthMethodBasic, oidc.AuthMethodPost}
	d.TokenEndpointAuthSigningAlgValuesSupported = nil
	d.IntrospectionEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic}
	d.IntrospectionEndpointAuthSigningAlgValuesSupported = nil
	d.RevocationEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodNone, oidc.AuthMethodBasic, oidc.AuthMethodPost}
	d.RevocationEndpointAuthSigningAlgValuesSupported = nil
	d.RequestObjectSigningAlgValuesSupported = nil
	d.RequestParameterSupported = false
	d.ClaimTypesSupported = []string{"normal"}
	d.BackChannelLogoutSupported = true
	d.BackChannelLogoutSessionSupported = true
	w.Header().Set("Cache-Control", "public, max-age=300")
	op.Discover(w, d)
}
