/* inject/api_contract.h — the books of inject/api_contract.c, kept with the machine. */
#ifndef REENTRY_INJECT_API_CONTRACT_H
#define REENTRY_INJECT_API_CONTRACT_H

#include "machine.h"

void api_contract_reset(void);
size_t api_contract_state_size(void);
void api_contract_save(void *buf);
void api_contract_restore(const void *buf);

#endif /* REENTRY_INJECT_API_CONTRACT_H */
