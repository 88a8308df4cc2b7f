// Package billing holds the plan catalog and the one check of plan limits.
package billing

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
)

// PlanCode names a plan.
type PlanCode string

const (
	Free       PlanCode = "FREE"
	Team       PlanCode = "TEAM"
	Enterprise PlanCode = "ENTERPRISE"
)

// PlanCodes lists every plan code.
var PlanCodes = []PlanCode{Free, Team, Enterprise}

// Values lets ent use PlanCode as an enum.
func (PlanCode) Values() []string { return []string{string(Free), string(Team), string(Enterprise)} }

func (p PlanCode) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(p))) }

func (p *PlanCode) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	for _, c := range PlanCodes {
		if string(c) == s {
			*p = c
			return nil
		}
	}
	return fmt.Errorf("%q is not a plan code", s)
}

// Limits are a plan's limits; nil means unlimited.
type Limits struct {
	Members               *int `json:"members"`
	Projects              *int `json:"projects"`
	Clusters              *int `json:"clusters"`
	AuditLogRetentionDays int  `json:"auditLogRetentionDays"`
}

// Plan is one entry of the catalog.
type Plan struct {
	Code PlanCode `json:"code"`
	Name string   `json:"name"`
	// PricePerMonthCents is nil for a plan sold by quote.
	PricePerMonthCents *int   `json:"pricePerMonthCents"`
	Currency           string `json:"currency"`
	Limits             Limits `json:"limits"`
}

// Catalog is the list of plans offered.
type Catalog []Plan

func ptr(n int) *int { return &n }

// DefaultCatalog is used unless configuration replaces it.
func DefaultCatalog() Catalog {
	return Catalog{
		{Code: Free, Name: "Free", PricePerMonthCents: ptr(0), Currency: "USD",
			Limits: Limits{Members: ptr(3), Projects: ptr(3), Clusters: ptr(1), AuditLogRetentionDays: 7}},
		{Code: Team, Name: "Team", PricePerMonthCents: ptr(29900), Currency: "USD",
			Limits: Limits{Members: ptr(25), Projects: ptr(50), Clusters: ptr(5), AuditLogRetentionDays: 30}},
		{Code: Enterprise, Name: "Enterprise", PricePerMonthCents: nil, Currency: "USD",
			Limits: Limits{AuditLogRetentionDays: 365}},
	}
}

// LoadCatalog reads a catalog from a JSON file (an array of plans); every plan code must appear once.
func LoadCatalog(path string) (Catalog, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan catalog: %w", err)
	}
	var c Catalog
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse plan catalog %s: %w", path, err)
	}
	return c, c.Validate()
}

// Validate checks that the catalog has each plan code exactly once.
func (c Catalog) Validate() error {
	seen := map[PlanCode]bool{}
	for _, p := range c {
		if err := p.Code.UnmarshalGQL(string(p.Code)); err != nil {
			return fmt.Errorf("plan catalog: %w", err)
		}
		if seen[p.Code] {
			return fmt.Errorf("plan catalog: %s listed twice", p.Code)
		}
		if err := p.validate(); err != nil {
			return fmt.Errorf("plan catalog: %s: %w", p.Code, err)
		}
		seen[p.Code] = true
	}
	for _, code := range PlanCodes {
		if !seen[code] {
			return fmt.Errorf("plan catalog: %s missing", code)
		}
	}
	return nil
}

func (p Plan) validate() error {
	switch {
	case p.Name == "":
		return fmt.Errorf("name missing")
	case p.Currency == "":
		return fmt.Errorf("currency missing")
	case p.PricePerMonthCents != nil && *p.PricePerMonthCents < 0:
		return fmt.Errorf("negative price")
	case p.Limits.AuditLogRetentionDays < 0:
		return fmt.Errorf("negative auditLogRetentionDays")
	}
	for _, name := range []string{LimitMembers, LimitProjects, LimitClusters} {
		if v := p.LimitValue(name); v != nil && *v < 0 {
			return fmt.Errorf("negative %s limit", name)
		}
	}
	return nil
}

// Plan returns the plan with code.
func (c Catalog) Plan(code PlanCode) Plan {
	for _, p := range c {
		if p.Code == code {
			return p
		}
	}
	return Plan{Code: code, Name: string(code)}
}

// Usage is what an organization uses of the limited resources.
type Usage struct {
	// Members counts members plus pending invitations.
	Members  int
	Projects int
	Clusters int
}

// Limit names, as reported in extensions.limit.
const (
	LimitMembers  = "members"
	LimitProjects = "projects"
	LimitClusters = "clusters"
)

// Exceeded returns the name of the first limit of p that u is over, or "".
// It is the one check of plan limits: creating something checks the usage
// it would reach, changing plan checks the current usage.
func (p Plan) Exceeded(u Usage) string {
	over := func(limit *int, n int) bool { return limit != nil && n > *limit }
	switch {
	case over(p.Limits.Members, u.Members):
		return LimitMembers
	case over(p.Limits.Projects, u.Projects):
		return LimitProjects
	case over(p.Limits.Clusters, u.Clusters):
		return LimitClusters
	}
	return ""
}

// LimitValue returns the value of the named limit of p (nil for unlimited).
func (p Plan) LimitValue(name string) *int {
	switch name {
	case LimitMembers:
		return p.Limits.Members
	case LimitProjects:
		return p.Limits.Projects
	case LimitClusters:
		return p.Limits.Clusters
	}
	return nil
}
