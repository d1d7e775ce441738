package web

// tokenRoutes registers the API-token pages.
func (s *Server) tokenRoutes() {}
