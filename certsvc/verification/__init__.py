"""Public verification: aggregate counters, target extraction and bilingual verdict texts."""
