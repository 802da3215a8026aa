package accounts

import (
	"encoding/json"
	"fmt"

	"github.com/entrykeyid/entrykeyid/internal/domain"
)

// signUpData is what an activation link carries, as JSON in Link.Data:
// the sign-up it was sent for. Activating with the link gives the account
// this password hash, names and language, so each sign-up's link can only
// ever activate the account with the password typed in that sign-up.
type signUpData struct {
	PasswordHash string `json:"password_hash"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Language     string `json:"language"`
	// Attempts counts the passwords tried with the link, the one being
	// checked included; it is raised before each check (see Activate).
	Attempts int `json:"attempts,omitempty"`
}

// fromAccount is the sign-up data of an account as stored: what a link
// made before links carried their sign-up (empty Data) activates with.
func fromAccount(a *domain.Account) signUpData {
	return signUpData{PasswordHash: a.PasswordHash, FirstName: a.FirstName, LastName: a.LastName, Language: a.Language}
}

// readSignUp decodes a link's Data; empty Data gives the account's own.
func readSignUp(data string, a *domain.Account) (signUpData, error) {
	if data == "" {
		return fromAccount(a), nil
	}
	var d signUpData
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return d, fmt.Errorf("activation link data: %w", err)
	}
	if d.PasswordHash == "" {
		return d, fmt.Errorf("activation link data: no password hash")
	}
	return d, nil
}

// encode returns d as Link.Data.
func (d signUpData) encode() string {
	b, err := json.Marshal(d)
	if err != nil { // a struct of strings and an int always marshals
		panic(err)
	}
	return string(b)
}
