package config

import (
	"strings"
	"testing"
	"time"
)

func TestLifecycleDefaults(t *testing.T) {
	l := Default().Lifecycle
	const day = 24 * time.Hour
	if l.PasswordMaxAge("member") != 365*day || l.PasswordMaxAge("non_member") != 90*day ||
		l.Dormancy("") != 365*day || l.Dormancy("non_member") != 90*day {
		t.Errorf("PWD-3/PWD-4 defaults: %+v", l)
	}
	if l.PasswordHistory != 0 || l.ExpiryWarningDays != 0 || l.EnumerationProtection != EnumerationStandard {
		t.Errorf("PWD-2, PWD-8, LOGIN-2 defaults: %+v", l)
	}
	if l.PasswordMaxAge("staff") != 90*day {
		t.Error("an unknown type gets the strictest age")
	}
}

func TestLifecycleIsValidated(t *testing.T) {
	for _, tc := range []struct {
		field  string
		change func(*Lifecycle)
	}{
		{"password-max-age-member", func(l *Lifecycle) { l.PasswordMaxAgeMember = 0 }},
		{"dormancy-non-member", func(l *Lifecycle) { l.DormancyNonMember = -time.Hour }},
		{"sweep-every", func(l *Lifecycle) { l.SweepEvery = 0 }},
		{"password-history", func(l *Lifecycle) { l.PasswordHistory = -1 }},
		{"expiry-warning-days", func(l *Lifecycle) { l.ExpiryWarningDays = -3 }},
		{"enumeration-protection", func(l *Lifecycle) { l.EnumerationProtection = "paranoid" }},
	} {
		c := Default()
		tc.change(&c.Lifecycle)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: Validate() = %v", tc.field, err)
		}
	}
	c := Default()
	c.Lifecycle.EnumerationProtection = EnumerationStrict
	if err := c.Validate(); err != nil {
		t.Errorf("strict: %v", err)
	}
}
