package orgs

// Service is the orgs domain service.
type Service struct{}
