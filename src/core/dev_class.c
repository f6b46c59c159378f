#include "core/dev_class.h"

int dev_classes_create(const struct dev_class *const *classes, size_t n, struct vm *vm,
                       const char **failed)
{
    for (size_t i = 0; i < n; i++) {
        if (classes[i]->create && classes[i]->create(vm) < 0) {
            *failed = classes[i]->name;
            return -1;
        }
    }
    return 0;
}

int dev_classes_reset(const struct dev_class *const *classes, size_t n, struct vm *vm,
                      const char **failed)
{
    for (size_t i = 0; i < n; i++) {
        if (classes[i]->reset && classes[i]->reset(vm) < 0) {
            *failed = classes[i]->name;
            return -1;
        }
    }
    return 0;
}

void dev_classes_quiesce(const struct dev_class *const *classes, size_t n, struct vm *vm)
{
    for (size_t i = 0; i < n; i++)
        if (classes[i]->quiesce)
            classes[i]->quiesce(vm);
}

void dev_classes_chosen(const struct dev_class *const *classes, size_t n, const struct vm *vm,
                        struct vm_dt_chosen *ch)
{
    for (size_t i = 0; i < n; i++)
        if (classes[i]->chosen)
            classes[i]->chosen(vm, ch);
}

void dev_classes_describe(const struct dev_class *const *classes, size_t n, const struct vm *vm,
                          struct vm_dt *dt, enum dev_dt_parent parent)
{
    for (size_t i = 0; i < n; i++)
        if (classes[i]->describe && classes[i]->dt_parent == parent)
            classes[i]->describe(vm, dt);
}
