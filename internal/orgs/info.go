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

// validateInfo checks the general information under path and returns it normalised.
func validateInfo(path string, in generalInfo) (generalInfo, error) {
	var err error
	if in.Name != nil {
		if _, err = validate.Name(path+".name", *in.Name, maxName); err != nil {
			return in, err
		}
	}
	if in.Description != nil {
		if _, err = validate.Text(path+".description", *in.Description, maxDescription); err != nil {
			return in, err
		}
	}
	if in.WebsiteURL != nil {
		if _, err = validate.HTTPURL(path+".websiteURL", *in.WebsiteURL); err != nil {
			return in, err
		}
	}
	if in.LogoURL != nil {
		if _, err = validate.HTTPURL(path+".logoURL", *in.LogoURL); err != nil {
			return in, err
		}
	}
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
