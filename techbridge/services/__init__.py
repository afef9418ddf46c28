"""Use cases. Each public function owns its transaction and checks the actor's permission."""
