package orgs

import (
	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/validate"
)

// generalInfo is the editable general information; nil means not given.
type generalInfo struct {
	Name               *string
	Description        *string
	WebsiteURL         *string
	AdminContactEmails []string
	LogoURL            *string
}

// validateInfo normalises the general information under path. The ent
// schema's validators check the text fields when they are saved; the
// e-mail list, a JSON column, is checked here.
func validateInfo(path string, in generalInfo) (generalInfo, error) {
	var err error
	if in.AdminContactEmails != nil {
		if in.AdminContactEmails, err = validate.Emails(path+".adminContactEmails", in.AdminContactEmails); err != nil {
			return in, err
		}
	}
	return in, nil
}

// apply sets the given fields (other than the name) on an organization mutation.
func (in generalInfo) apply(m *ent.OrganizationMutation) {
	if in.Description != nil {
		m.SetDescription(*in.Description)
	}
	if in.WebsiteURL != nil {
		m.SetWebsiteURL(*in.WebsiteURL)
	}
	if in.AdminContactEmails != nil {
		m.SetAdminContactEmails(in.AdminContactEmails)
	}
	if in.LogoURL != nil {
		m.SetLogoURL(*in.LogoURL)
	}
}
