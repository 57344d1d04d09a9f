/* glob.h - the rule language's wildcards: '*' is any run of characters
 * (dots included), '?' is one character, everything else is literal. */
#ifndef NRP_RULES_GLOB_H
#define NRP_RULES_GLOB_H

/* 1 when text matches pattern in full. */
int nrp_glob_match(const char *pattern, const char *text);

#endif
