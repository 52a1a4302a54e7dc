// Placeholder entry point; the command tree arrives with the CLI issue.
return 0;
