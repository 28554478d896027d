# The same fine-tuning with the head sized for CIFAR-10's ten classes.
import torch
import torch.nn as nn
import torchvision

train_set = torchvision.datasets.CIFAR10(root="./data", train=True, download=True)
train_loader = torch.utils.data.DataLoader(train_set, batch_size=64, shuffle=True)

model = torchvision.models.resnet18(weights="IMAGENET1K_V1")
model.fc = nn.Linear(model.fc.in_features, 10)
model = model.to("cuda")

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for images, targets in train_loader:
    optimizer.zero_grad()
    loss = criterion(model(images.cuda()), targets.cuda())
    loss.backward()
    optimizer.step()
