// Move focus to the summary of the answers to check, so a screen reader announces it first.
document.getElementById("error-summary")?.focus();
