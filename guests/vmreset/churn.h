/* vmreset's churn role (churn.c): resets many times to make elvisor's
 * VMIDs roll over. */
#ifndef VMRESET_CHURN_H
#define VMRESET_CHURN_H

void role_churn(const char *args);

#endif
