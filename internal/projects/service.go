package projects

// Service is the projects domain service.
type Service struct{}
