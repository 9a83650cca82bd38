// Placeholder until the publishing issue lands: the package exists so the workspace layout is complete.
export {}
