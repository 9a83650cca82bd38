// The verifier's public surface is assembled here as its modules land.
export {}
