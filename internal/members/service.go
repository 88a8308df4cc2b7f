package members

// Service is the members domain service.
type Service struct{}
